// Express and Fastify side by side: starts the built service twice (HTTP_PLATFORM=express and
// =fastify) on fresh stores and sends both the same request sequence over raw node:http, then
// compares what a client sees: status, every response header but Date (values included),
// each Set-Cookie line attribute by attribute (Max-Age, and Expires within a second of it), and
// the body. Per-run values (tokens, ids, times, CSRF tokens) are replaced by their shape first.
// Also the request lines and security events in the logs, and that SIGTERM ends both with 0.
// Twice: default settings, and COOKIE_LAYOUT=split with CSRF_MODE=double-submit. Ends with one
// line "N passed, M failed". `npm run build` first (npm test's stage does).
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { CHILD_TEST_ENV, MAIN, startService } from './lib/service.mjs';

if (!existsSync(MAIN)) {
  console.error(`${MAIN} is missing: npm run build first`);
  process.exit(2);
}

const PASSWORD = 'correct horse battery staple';
const ALLOWED = 'http://localhost:5173';
let passed = 0;
let failed = 0;

function send(service, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = request(`${service.url}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Per-run values replaced by their shape, so that two runs of the same sequence read the same. */
function shape(text) {
  return String(text)
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
    .replace(/\b[0-9a-f]{40,}\.[0-9a-f]{40,}\b/g, '<csrf>')
    .replace(/^(__Secure-refresh=)[\w-]+/, '$1<refresh>')
    .replace(/%22refreshToken%22%3A%22[\w-]+%22/g, '%22refreshToken%22%3A%22<refresh>%22')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, '<time>')
    .replace(/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/g, '<device>')
    .replace(/\b[0-9a-f]{64,}\|?[0-9a-f]*/g, '<hex>')
    .replace(/(name="_csrf" value=")[^"]+/g, '$1<csrf>')
    .replace(/("csrfToken":")[^"]+/g, '$1<csrf>');
}

/** One Set-Cookie line as name, shaped value and attributes; Expires checked against Max-Age and then left out. */
function cookieLine(line) {
  const [pair, ...attributes] = line.split('; ');
  const out = [shape(pair)];
  const maxAge = attributes.find((a) => a.startsWith('Max-Age='));
  for (const attribute of attributes) {
    if (!attribute.startsWith('Expires=')) {
      out.push(attribute.startsWith('Max-Age=') ? `Max-Age~${Math.round(Number(attribute.slice(8)) / 10)}` : attribute);
      continue;
    }
    const expires = Date.parse(attribute.slice(8));
    if (maxAge) out.push(Math.abs(expires - Date.now() - Number(maxAge.slice(8)) * 1000) < 5000 ? 'Expires=now+Max-Age' : `Expires=${attribute.slice(8)}`);
    else out.push(attribute);
  }
  return out.join('; ');
}

function view(answer) {
  const headers = Object.fromEntries(
    Object.entries(answer.headers)
      .filter(([name]) => name !== 'date' && name !== 'set-cookie' && name !== 'keep-alive' && name !== 'connection')
      .map(([name, value]) => [name, shape(value)])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return { status: answer.status, headers, cookies: (answer.headers['set-cookie'] ?? []).map(cookieLine), body: shape(answer.body) };
}

function check(label, express, fastify) {
  const a = JSON.stringify(express, null, 1);
  const b = JSON.stringify(fastify, null, 1);
  if (a === b) {
    passed++;
    console.log(`ok   ${label}`);
    return;
  }
  failed++;
  console.log(`FAIL ${label}\n  express: ${JSON.stringify(express)}\n  fastify: ${JSON.stringify(fastify)}`);
}

/** A client with a jar: keeps what Set-Cookie gives it (name=value; an expired or empty one removed). */
function client(service) {
  const jar = new Map();
  let csrf;
  const call = async (request) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const headers = { ...(cookie ? { cookie } : {}), ...(csrf && request.method && request.method !== 'GET' ? { 'x-csrf-token': csrf } : {}), ...request.headers };
    const answer = await send(service, { ...request, headers });
    for (const line of answer.headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value === '' || /Expires=Thu, 01 Jan 1970/.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const token = /"csrfToken":"([^"]+)"/.exec(answer.body)?.[1];
    if (token && request.path === '/auth/csrf') csrf = token;
    return answer;
  };
  return { call, jar };
}

const json = (method, path, value, headers = {}) => ({ method, path, headers: { 'content-type': 'application/json', ...headers }, body: typeof value === 'string' ? value : JSON.stringify(value) });

/** The sequence, in order; each step is sent to both services before the next. */
const steps = (split) => [
  ['GET /auth/csrf', () => ({ path: '/auth/csrf' })],
  ['POST /auth/signup', () => json('POST', '/auth/signup', { username: 'platform-alice', password: PASSWORD })],
  ['GET /auth/csrf, signed in', () => ({ path: '/auth/csrf' })],
  ['GET /auth/me with the cookie', () => ({ path: '/auth/me' })],
  ['POST /auth/refresh', () => ({ method: 'POST', path: '/auth/refresh' })],
  ['GET /auth/sessions', () => ({ path: '/auth/sessions' })],
  // Paths that spell a letter as a %-escape: Fastify's router decoded them, Express's did not.
  ['GET /auth/%6De, signed in', () => ({ path: '/auth/%6De' })],
  ['POST /auth/%72efresh, signed in', () => ({ method: 'POST', path: '/auth/%72efresh' })],
  ['GET /d%6Fcs', () => ({ path: '/d%6Fcs' })],
  ['GET /docs/%73wagger-ui.css', () => ({ path: '/docs/%73wagger-ui.css' })],
  ['GET /h%65alth/live', () => ({ path: '/h%65alth/live' })],
  ['GET /auth/me%2F', () => ({ path: '/auth/me%2F' })],
  ['GET /auth/me?x=%6D (escapes in the query)', () => ({ path: '/auth/me?x=%6D' })],
  ['GET /auth/me with a garbled j: cookie', () => ({ path: '/auth/me', headers: { cookie: `${split ? '__Host-access' : 'auth-cookie'}=j%3A%7B%22token%22%3A%7B%22%24ne%22%3Anull%7D%7D` } })],
  ['GET /auth/me with a quoted cookie', () => ({ path: '/auth/me', headers: { cookie: 'auth-cookie="j:{}"' } })],
  ['POST /auth/login, a 200 kB body', () => json('POST', '/auth/login', JSON.stringify({ username: 'x', password: 'y'.repeat(200_000) }))],
  ['POST /auth/login, broken JSON', () => json('POST', '/auth/login', '{"username":')],
  ['POST /auth/login, a JSON string', () => json('POST', '/auth/login', '"text"')],
  ['POST /auth/login, empty JSON body', () => json('POST', '/auth/login', '')],
  ['POST /auth/login, an operator for a string', () => json('POST', '/auth/login', { username: { $gt: '' }, password: 'x' })],
  ['POST /auth/login, text/plain', () => ({ method: 'POST', path: '/auth/login', headers: { 'content-type': 'text/plain' }, body: 'hello' })],
  ['POST /auth/login from another site', () => json('POST', '/auth/login', { username: 'platform-alice', password: PASSWORD }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })],
  ['POST /auth/login, wrong password', () => json('POST', '/auth/login', { username: 'platform-alice', password: 'wrong password here' })],
  ['POST /auth/login, gzip JSON', () => ({ method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify({ username: 'nobody-here', password: 'wrong password here' })) })],
  ['POST /auth/login, bytes that do not gunzip', () => ({ method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'abcde' })],
  ['POST /auth/login, an unknown encoding', () => ({ method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' }, body: '{}' })],
  ['POST /auth/login, a latin1 JSON body', () => json('POST', '/auth/login', '{}', { 'content-type': 'application/json; charset=latin1' })],
  ['POST /pages/login, a form in an unknown charset', () => ({ method: 'POST', path: '/pages/login', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-r', accept: 'text/html' }, body: 'username=a&password=b' })],
  ['GET /auth/me%ZZ?x=1 (a path that does not decode)', () => ({ path: '/auth/me%ZZ?x=1' })],
  ['GET /auth/me with 20 kB of headers (431)', () => ({ path: '/auth/me', headers: { 'x-filler': 'x'.repeat(20_000) } })],
  ['POST /auth/login, JSON nested 50,000 deep', () => json('POST', '/auth/login', `{"username": ${'['.repeat(50_000)}${']'.repeat(50_000)}, "password": "x"}`)],
  ['POST /auth/signup, a display name with U+202E', () => json('POST', '/auth/signup', { username: 'platform-bidi', password: PASSWORD, name: 'ada\u202Egnp.exe' })],
  ['OPTIONS /auth/me', () => ({ method: 'OPTIONS', path: '/auth/me' })],
  ['CORS preflight for DELETE from an allowed origin', () => ({ method: 'OPTIONS', path: '/users/x', headers: { origin: ALLOWED, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'content-type,x-csrf-token' } })],
  ['CORS preflight from another origin', () => ({ method: 'OPTIONS', path: '/auth/me', headers: { origin: 'http://other.example', 'access-control-request-method': 'GET' } })],
  ['GET /auth/me from an allowed origin', () => ({ path: '/auth/me', headers: { origin: ALLOWED } })],
  ['GET /docs/swagger-ui.css', () => ({ path: '/docs/swagger-ui.css' })],
  ['GET /login (a page)', () => ({ path: '/login', headers: { accept: 'text/html' } })],
  ['POST /pages/login, a form with a wrong password', () => ({ method: 'POST', path: '/pages/login', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: 'username=platform-alice&password=wrong+password+here' })],
  ['GET /account (a page, signed in)', () => ({ path: '/account', headers: { accept: 'text/html' } })],
  ['GET /AUTH/ME/ (case and trailing slash)', () => ({ path: '/AUTH/ME/' })],
  ['GET /users/not-a-uuid', () => ({ path: '/users/not-a-uuid' })],
  ['GET /nowhere', () => ({ path: '/nowhere' })],
  ['HEAD /health/live', () => ({ method: 'HEAD', path: '/health/live' })],
  ['GET /docs-json', () => ({ path: '/docs-json' })],
  ['GET /docs', () => ({ path: '/docs' })],
  ['POST /auth/logout', () => ({ method: 'POST', path: '/auth/logout' })],
  ['GET /account after logout (redirect)', () => ({ path: '/account', headers: { accept: 'text/html' } })],
  ['GET /account, redirect as text', () => ({ path: '/account', headers: { accept: '*/*' } })],
  ...Array.from({ length: 4 }, (_, i) => [`POST /auth/login, rate limit ${i + 1}`, () => json('POST', '/auth/login', { username: 'nobody-here', password: 'wrong password here' })]),
];

async function comparePass(label, settings) {
  console.log(`\n--- ${label} ---`);
  const env = { ...CHILD_TEST_ENV, RATE_LIMIT_LOGIN: '6', LOG_LEVEL: 'info', ALLOWED_ORIGINS: ALLOWED, ...settings };
  const express = await startService({ name: 'express', env: { ...env, HTTP_PLATFORM: 'express' } });
  const fastify = await startService({ name: 'fastify', env: { ...env, HTTP_PLATFORM: 'fastify' } });
  try {
    const [a, b] = [client(express), client(fastify)];
    for (const [name, make] of steps(settings.COOKIE_LAYOUT === 'split')) {
      check(name, view(await a.call(make())), view(await b.call(make())));
    }
    const logOf = (service) =>
      readFileSync(service.logFile, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.req || entry.event)
        .map((entry) => (entry.event ? `event ${entry.event}` : `${entry.req.method} ${shape(entry.req.url)} ${entry.res?.statusCode} id=${typeof entry.req.id}`));
    // SIGTERM first: the last request's log line is written as its answer finishes.
    const exits = await Promise.all([express, fastify].map(async (service) => (service.signal('SIGTERM'), (await service.exited).code)));
    check('SIGTERM: drained and exited', exits[0], exits[1]);
    check('request log lines and security events', logOf(express), logOf(fastify));
  } finally {
    await Promise.all([express.stop(), fastify.stop()]);
  }
}

await comparePass('default settings', {});
await comparePass('COOKIE_LAYOUT=split, CSRF_MODE=double-submit', { COOKIE_LAYOUT: 'split', CSRF_MODE: 'double-submit' });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
