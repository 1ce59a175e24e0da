// HTTP for the fault scenarios: node:http over a keep-alive Agent, one request at a time per
// call, and a verdict on every answer. A request never rejects: it resolves with what happened
// (status and body, or how the transport failed), so that the scenarios can count each outcome.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export const COOKIE_NAME = 'auth-cookie';
export const REUSE_MESSAGE = /already used|revoked/i;

export const now = () => performance.now();

/** One pooled keep-alive agent per scenario (clients share its sockets, as a proxy's pool would). */
export function keepAliveAgent() {
  return new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'fifo' });
}

/**
 * Sends one request to 127.0.0.1:port and resolves with
 *   { method, path, sentAt, doneAt, latency, reused, status, headers, body, bytes, json, outcome, code, problem }
 * where outcome is one of
 *   'response'  a complete answer was read (status, body; `problem` says if it is not a valid one)
 *   'refused'   the connection was refused (nothing listens)
 *   'reset'     the connection failed before any byte of an answer (reset, hang-up, broken pipe)
 *   'truncated' an answer had started (status line read) and the connection died before its end
 *   'timeout'   no complete answer within timeoutMs (the request is abandoned)
 */
export function send({ port, agent, method = 'GET', path, cookie, body, timeoutMs = 15_000, headers: extra = {} }) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { accept: 'application/json', ...extra };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (cookie) headers.cookie = `${COOKIE_NAME}=${cookie}`;
    const result = { method, path, sentAt: now(), reused: false, status: 0, outcome: undefined };
    let settled = false;
    const finish = (fields) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      result.doneAt = now();
      result.latency = result.doneAt - result.sentAt;
      Object.assign(result, fields);
      if (result.outcome === 'response') result.problem = problemWith(result);
      resolve(result);
    };
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent });
    req.on('socket', () => {
      result.reused = req.reusedSocket;
    });
    req.on('response', (res) => {
      result.status = res.statusCode;
      result.headers = res.headers;
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const buffer = Buffer.concat(chunks);
        finish({ outcome: res.complete ? 'response' : 'truncated', body: buffer.toString('utf8'), bytes: buffer.length });
      });
      // 'close' without 'end': the body was cut off.
      res.on('close', () => finish({ outcome: 'truncated', code: 'ECONNRESET', body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => finish({ outcome: 'truncated', code: error.code ?? error.message }));
    });
    req.on('error', (error) => {
      if (result.status) return finish({ outcome: 'truncated', code: error.code ?? error.message });
      finish({ outcome: error.code === 'ECONNREFUSED' ? 'refused' : 'reset', code: error.code ?? error.message });
    });
    const timer = setTimeout(() => {
      finish({ outcome: 'timeout', code: 'TIMEOUT' });
      req.destroy();
    }, timeoutMs);
    req.end(payload);
  });
}

/**
 * What is wrong with a complete answer, or undefined: every answer must be whole JSON of the
 * length it announced; errors must have the service's `{ statusCode, error, message }` shape;
 * successes the shape of their route.
 */
function problemWith(r) {
  if (r.status === 204) return r.bytes === 0 ? undefined : 'a 204 with a body';
  const declared = r.headers['content-length'];
  if (declared !== undefined && Number(declared) !== r.bytes) return `body of ${r.bytes} bytes, Content-Length ${declared}`;
  try {
    r.json = JSON.parse(r.body);
  } catch {
    return `not JSON: ${JSON.stringify(r.body.slice(0, 80))}`;
  }
  if (r.status >= 400) {
    const { statusCode, error, message } = r.json ?? {};
    if (statusCode !== r.status || typeof error !== 'string' || typeof message !== 'string') {
      return `error body is not { statusCode, error, message }: ${r.body.slice(0, 120)}`;
    }
    return undefined;
  }
  const user = r.path === '/auth/me' ? r.json : r.json?.user;
  if (r.path.startsWith('/auth/') && !(typeof user?.id === 'string' && typeof user?.username === 'string')) {
    return `no user in ${r.body.slice(0, 120)}`;
  }
  if (r.path.startsWith('/health') && typeof r.json?.status !== 'string') return `no status in ${r.body.slice(0, 120)}`;
  return undefined;
}

/**
 * The auth cookie a response sets: { raw, token, refreshToken } for a new one (raw is sent back
 * as is), { cleared: true } when the response clears it, undefined when it does not touch it.
 */
export function authCookieOf(r) {
  const line = (r.headers?.['set-cookie'] ?? []).find((c) => c.startsWith(`${COOKIE_NAME}=`));
  if (!line) return undefined;
  const raw = line.slice(COOKIE_NAME.length + 1).split(';')[0];
  if (raw === '') return { cleared: true };
  try {
    const value = decodeURIComponent(raw);
    const { token, refreshToken } = JSON.parse(value.slice(2));
    if (!value.startsWith('j:') || typeof token !== 'string' || typeof refreshToken !== 'string') return { malformed: raw };
    return { raw, token, refreshToken };
  } catch {
    return { malformed: raw };
  }
}

/** Counts of labelled things, printed as "a 3, b 1". */
export class Tally {
  counts = new Map();
  add(label, n = 1) {
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }
  get(label) {
    return this.counts.get(label) ?? 0;
  }
  total() {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  toString() {
    if (this.counts.size === 0) return 'none';
    return [...this.counts].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, v]) => `${k} ${v}`).join(', ');
  }
}

/** Latency samples in ms, summarised as percentiles. */
export class Latencies {
  values = [];
  add(ms) {
    this.values.push(ms);
  }
  percentile(p) {
    if (this.values.length === 0) return NaN;
    const sorted = Float64Array.from(this.values).sort();
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  }
  max() {
    return this.values.reduce((m, v) => (v > m ? v : m), 0);
  }
  summary() {
    if (this.values.length === 0) return 'no samples';
    return `p50 ${ms(this.percentile(50))}, p99 ${ms(this.percentile(99))}, max ${ms(this.max())}`;
  }
}

export const ms = (value) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : Math.round(value)} ms` : 'n/a');

/** A user of the service: one account, one session, the cookie of its last 200 and the one before. */
export class Client {
  constructor(target, agent, username) {
    this.target = target; // { port }, shared so that a restart on a new port is seen by every client
    this.agent = agent;
    this.username = username;
    this.password = 'correct horse battery staple';
    this.cookie = undefined; // the cookie of the last 2xx that set one
    this.previous = undefined; // the one before it
  }

  request(method, path, options = {}) {
    return send({ port: this.target.port, agent: this.agent, method, path, ...options });
  }

  /** Sends with this client's current cookie (or `cookie`), and keeps a cookie a 2xx sets. */
  async call(method, path, { cookie = this.cookie?.raw, body, keep = true, timeoutMs } = {}) {
    const r = await this.request(method, path, { cookie, body, timeoutMs });
    r.cookie = r.outcome === 'response' ? authCookieOf(r) : undefined;
    if (keep && r.status >= 200 && r.status < 300 && r.cookie?.raw) this.keep(r.cookie);
    return r;
  }

  keep(cookie) {
    if (this.cookie?.raw === cookie.raw) return;
    this.previous = this.cookie;
    this.cookie = cookie;
  }

  signup(options) {
    return this.call('POST', '/auth/signup', { body: { username: this.username, password: this.password }, ...options });
  }

  login(options) {
    return this.call('POST', '/auth/login', { body: { username: this.username, password: this.password }, ...options });
  }

  me(options) {
    return this.call('GET', '/auth/me', options);
  }

  refresh(options) {
    return this.call('POST', '/auth/refresh', options);
  }
}

/** Signs up `count` clients, `concurrency` at a time; throws unless every signup is a clean 201. */
export async function signUpClients({ target, agent, count, prefix, concurrency = 10 }) {
  const clients = Array.from({ length: count }, (_, i) => new Client(target, agent, `${prefix}-${i}`));
  let next = 0;
  const worker = async () => {
    while (next < clients.length) {
      const client = clients[next++];
      const r = await client.signup({ timeoutMs: 30_000 });
      if (r.outcome !== 'response' || r.status !== 201 || r.problem || !client.cookie) {
        throw new Error(`signup of ${client.username}: ${describe(r)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return clients;
}

/** One line for a result in a report. */
export function describe(r) {
  if (r.outcome !== 'response') return `${r.method} ${r.path}: ${r.outcome} (${r.code}) after ${ms(r.latency)}`;
  const message = r.json?.message ? ` "${r.json.message}"` : '';
  return `${r.method} ${r.path}: ${r.status}${message}${r.problem ? ` [${r.problem}]` : ''} in ${ms(r.latency)}`;
}
