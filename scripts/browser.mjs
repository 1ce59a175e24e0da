// npm run test:browser (after `npm run build`): the real-browser suite. Starts the built service on
// a fresh embedded store, static servers for the SPA (an allowed origin on the same site) and for
// "other" pages, then drives Debian's Chromium through playwright-core (which never downloads a
// browser here). Prints each check, then one line "N passed, M failed"; screenshots and the
// service's log go to test-output/browser/.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createRunner, screenshotter, startStatic } from '../test/browser/harness.mjs';
import { mfaChecks } from '../test/browser/mfa-checks.mjs';
import { pagesChecks } from '../test/browser/pages-checks.mjs';
import { recoveryChecks } from '../test/browser/recovery-checks.mjs';
import { spaChecks } from '../test/browser/spa-checks.mjs';
import { strictChecks } from '../test/browser/strict-checks.mjs';
import { CHILD_TEST_ENV, MAIN, ROOT as root, freePort, startService } from './lib/service.mjs';

/** TEST_HTTP_PLATFORM=fastify runs every check against services on Fastify (npm test runs both). */
const platform = process.env.TEST_HTTP_PLATFORM || 'express';
const out = join(root, 'test-output', platform === 'express' ? 'browser' : `browser-${platform}`);
const CHROMIUM = '/usr/bin/chromium';
const ACCESS_TTL_SECONDS = 2;
const REAUTH_MAX_AGE_SECONDS = 2;

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} not found: install Debian's Chromium with \`apt-get install -y chromium\` (CI's .ci/run does). This suite never downloads a browser.`);
  process.exit(1);
}
if (!existsSync(MAIN)) {
  console.error('dist/main.js not found: build first (`npm run test:browser` runs `npm run build`).');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const runner = createRunner();
const cleanups = [];
async function cleanUp() {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (error) {
      console.error(`cleanup: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => cleanUp().finally(() => process.exit(130)));
}

try {
  const ports = new Set();
  while (ports.size < 4) ports.add(await freePort());
  const [apiPort, spaPort, otherPort, strictPort] = [...ports];
  /**
   * The built service on a fresh embedded store of its own, at http://localhost:<port>: the same
   * site as the SPA's origin, so that the browser sends the cookie along.
   */
  const freshService = async (port, logName, env) => {
    const service = await startService({ port, logFile: join(out, logName), env: { ...CHILD_TEST_ENV, HTTP_PLATFORM: platform, ACCESS_TTL: `${ACCESS_TTL_SECONDS}s`, REAUTH_MAX_AGE: `${REAUTH_MAX_AGE_SECONDS}s`, ...env } });
    cleanups.push(service.stop);
    return { ...service, url: `http://localhost:${port}` };
  };

  const service = await freshService(apiPort, 'service.log', {
    ALLOWED_ORIGINS: `http://localhost:${spaPort}`,
    COOKIE_NAME: 'auth-cookie',
    COOKIE_SAMESITE: 'lax',
    COOKIE_SECURE: 'false',
  });
  const spaFolder = join(root, 'test', 'browser', 'spa');
  const spaServer = await startStatic(spaFolder, spaPort);
  cleanups.push(spaServer.close);
  // One server, two origins: http://localhost:<otherPort> is the same site but not an allowed
  // origin; http://127.0.0.1:<otherPort> is another site altogether.
  const otherServer = await startStatic(spaFolder, otherPort);
  cleanups.push(otherServer.close);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  cleanups.push(() => browser.close());
  console.log(`Chromium ${browser.version()}; API ${service.url} (HTTP_PLATFORM=${platform}); SPA http://localhost:${spaPort}; ACCESS_TTL=${ACCESS_TTL_SECONDS}s`);

  const shared = { check: runner.check, browser, api: service.url, shot: screenshotter(out), accessTtlSeconds: ACCESS_TTL_SECONDS, reauthMaxAgeSeconds: REAUTH_MAX_AGE_SECONDS };
  await spaChecks({
    ...shared,
    spaOrigin: `http://localhost:${spaPort}`,
    otherOrigin: `http://localhost:${otherPort}`,
    crossSiteOrigin: `http://127.0.0.1:${otherPort}`,
  });
  await pagesChecks(shared);
  await mfaChecks(shared);
  // No SMTP_URL in development: the service writes each mail under DATA_DIR/outbox, read back here.
  await recoveryChecks({ ...shared, outbox: join(service.dataDir, 'outbox') });

  // The optional stricter settings, on a second service of their own.
  const strict = await freshService(strictPort, 'service-strict.log', { COOKIE_LAYOUT: 'split', CSRF_MODE: 'double-submit' });
  await strictChecks({ ...shared, api: strict.url });
} catch (error) {
  // Set-up (service, servers, browser) or a group of checks broke off: count it, so the run
  // can never look green.
  await runner.check('suite ran to the end', () => {
    throw error;
  });
} finally {
  await cleanUp();
}

console.log(`Screenshots and service log: ${out}`);
console.log(`${runner.passed} passed, ${runner.failed} failed`);
process.exit(runner.failed > 0 || runner.passed === 0 ? 1 : 0);
