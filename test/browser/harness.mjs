// Plumbing for scripts/browser.mjs: static servers for the SPA and the "other" origins, a
// pass/fail check runner, cookie decoding, screenshots. The service itself starts through
// scripts/lib/service.mjs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { once } from 'node:events';
import { sleep } from '../../scripts/lib/service.mjs';

export const COOKIE_NAME = 'auth-cookie';

export async function waitUntil(condition, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(25);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** A tiny node:http static server for one folder (GET and HEAD only, nothing outside the folder). */
export async function startStatic(folder, port) {
  const base = resolve(folder);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(base, `.${path === '/' ? '/index.html' : path}`);
    const inside = file.startsWith(base + sep);
    if (!['GET', 'HEAD'].includes(req.method ?? '') || !inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { close: () => new Promise((done) => server.close(done)) };
}

/** Named checks, each counted; a failure prints its reason and the run carries on. */
export function createRunner() {
  const results = [];
  return {
    results,
    async check(name, fn) {
      const started = Date.now();
      try {
        await fn();
        results.push({ name, ok: true });
        process.stdout.write(`  ✓ ${name} (${Date.now() - started} ms)\n`);
      } catch (error) {
        results.push({ name, ok: false });
        process.stdout.write(`  ✗ ${name}\n    ${String(error?.stack ?? error).split('\n').slice(0, 8).join('\n    ')}\n`);
      }
    },
    get passed() {
      return results.filter((r) => r.ok).length;
    },
    get failed() {
      return results.filter((r) => !r.ok).length;
    },
  };
}

/** The auth-cookie a browser context holds for `url`, or undefined. */
export async function authCookie(context, url) {
  return (await context.cookies(url)).find((cookie) => cookie.name === COOKIE_NAME);
}

/** `{ token, refreshToken }` from the `j:` JSON value Express wrote. */
export function decodeAuthCookie(cookie) {
  assert.ok(cookie, `no ${COOKIE_NAME} in the browser`);
  const raw = decodeURIComponent(cookie.value);
  assert.ok(raw.startsWith('j:'), `not a j: cookie: ${raw.slice(0, 20)}`);
  return JSON.parse(raw.slice(2));
}

export function screenshotter(folder) {
  return async (page, name) => {
    await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
  };
}
