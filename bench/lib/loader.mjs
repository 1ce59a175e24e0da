// The load generator: a child process (pinned by the parent with taskset to the load CPU) that
// takes jobs over IPC and answers with results. Three kinds of load:
//  - `cannon`: autocannon's programmatic API, fixed requests (optionally a different cookie per
//    connection or per request);
//  - `closed`: a closed loop of N virtual clients on node:http keep-alive sockets, each sending
//    its next request when the previous answer arrived; with `chain`, each client replaces its
//    cookie by the Set-Cookie of the answer (refresh-token rotation);
//  - `flood`: wrong-password logins, each from its own X-Forwarded-For address (flood-load.mjs).
import autocannon from 'autocannon';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { flood } from './flood-load.mjs';

process.on('disconnect', () => process.exit(0)); // the parent went away: so do we

process.on('message', async (job) => {
  try {
    const kinds = { cannon, closed, flood };
    const result = kinds[job.kind] ? await kinds[job.kind](job) : null;
    if (!result) throw new Error(`unknown job kind ${job.kind}`);
    process.send({ id: job.id, result });
  } catch (error) {
    process.send({ id: job.id, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });

/** autocannon run; req/s counts 2xx answers only, over autocannon's measured duration. */
async function cannon({ url, method = 'GET', headers = {}, body, bodies, connections, duration, amount, cookies }) {
  const opts = { url, method, headers, body, connections, timeout: 30 };
  if (amount) opts.amount = amount;
  else opts.duration = duration;
  if (bodies?.length) {
    // A different body for every request (login: a different user each time).
    let next = 0;
    opts.requests = [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }];
  } else if (cookies?.length) {
    let next = 0;
    if (cookies.length <= connections) {
      // One cookie (one session) per connection: no per-request cost in the generator.
      opts.setupClient = (client) => client.setHeaders({ ...headers, cookie: cookies[next++ % cookies.length] });
    } else {
      // More sessions than connections: every request takes the next cookie.
      opts.requests = [{ setupRequest: (req) => ({ ...req, headers: { ...headers, cookie: cookies[next++ % cookies.length] } }) }];
    }
  }
  const r = await autocannon(opts);
  const ok = r['2xx'] ?? 0;
  return {
    perSec: ok / r.duration,
    ok,
    total: r.requests.total,
    durationS: r.duration,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
  };
}

/**
 * Closed loop for `durationMs`: answers completed inside the window count; requests still in
 * flight at the end are awaited (so each chained cookie stays the one the server last issued)
 * but not counted. Returns the clients' final cookies so the next run continues the chains.
 */
async function closed({ host, port, method, path, cookies, clients, durationMs, chain = false, cookieName = 'auth-cookie', distinctSourceIps = true }) {
  const n = cookies?.length ?? clients;
  const agent = new http.Agent({ keepAlive: true, maxSockets: n, maxFreeSockets: n });
  // Each virtual client connects from its own loopback address (127.0.1.1, 127.0.1.2, ...), as
  // distinct users would: per-IP state on the server (the rate limiter's hit lists) then has the
  // size it has in real use instead of one list holding every request of the run.
  const sourceIp = (i) => (distinctSourceIps ? `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}` : undefined);
  const jar = cookies ? [...cookies] : new Array(n).fill(null);
  const latencies = [];
  const statuses = {};
  let ok = 0;
  let failed = 0;
  const deadClients = [];
  const start = performance.now();
  const end = start + durationMs;

  async function client(i) {
    while (performance.now() < end) {
      const t0 = performance.now();
      const { status, setCookie } = await send(agent, { host, port, method, path, cookie: jar[i], localAddress: sourceIp(i) });
      const t1 = performance.now();
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        if (t1 <= end) {
          ok++;
          latencies.push(t1 - t0);
        }
        if (chain) {
          const next = setCookie?.find((c) => c.startsWith(`${cookieName}=`))?.split(';')[0];
          if (!next) throw new Error('a 2xx refresh answer carried no new auth-cookie');
          jar[i] = next;
        }
      } else {
        failed++;
        if (chain) {
          deadClients.push(i); // its chain is broken (the server cleared the cookie): stop this client
          return;
        }
      }
    }
  }

  await Promise.all(Array.from({ length: n }, (_, i) => client(i)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 100) / 100 : null);
  return {
    perSec: ok / (durationMs / 1000),
    ok,
    failed,
    deadClients: deadClients.length,
    statusCodes: statuses,
    durationS: durationMs / 1000,
    latencyMs: { p50: pct(0.5), p99: pct(0.99) },
    cookies: chain ? jar : undefined,
  };
}

function send(agent, { host, port, method, path, cookie, localAddress }) {
  return new Promise((resolve, reject) => {
    const headers = { 'content-length': '0' };
    if (cookie) headers.cookie = cookie;
    const req = http.request({ host, port, method, path, agent, headers, localAddress }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ status: res.statusCode, setCookie: res.headers['set-cookie'] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
