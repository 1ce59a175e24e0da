// The `flood` job of the load generator (bench/lib/loader.mjs): wrong-password logins from many
// addresses, as a credential-guessing attack behind a proxy looks to a service with TRUST_PROXY=1.
// Every request carries its own X-Forwarded-For address (so no per-address rate limit ever
// bites: that is the attack) and a wrong password for a username that is, with probability
// `realShare`, one of `realUsernames` and otherwise a name nobody has. Traffic goes to `url`
// (127.0.0.1) only.
import autocannon from 'autocannon';

export async function flood({ url, connections, duration, realUsernames, realShare, addressPrefix = 10 }) {
  let n = 0;
  const setupRequest = (req) => {
    const i = ++n;
    // 10.x.y.z, a different address for every request (16M before one repeats).
    const address = `${addressPrefix}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const username = Math.random() < realShare ? realUsernames[i % realUsernames.length] : `nobody-${i.toString(36)}`;
    return {
      ...req,
      headers: { ...req.headers, 'x-forwarded-for': address },
      body: JSON.stringify({ username, password: `wrong-guess-${i}` }),
    };
  };
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration,
    timeout: 30,
    requests: [{ setupRequest }],
  });
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, Number(v.count)]));
  const of = (code) => statusCodes[code] ?? 0;
  return {
    total: r.requests.total,
    durationS: r.duration,
    perSec: r.requests.total / r.duration,
    statusCodes,
    byOutcome: {
      401: of(401),
      429: of(429),
      503: of(503),
      other: Object.entries(statusCodes).filter(([c]) => !['401', '429', '503'].includes(c)).reduce((s, [, v]) => s + v, 0),
      errors: r.errors,
      timeouts: r.timeouts,
    },
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
  };
}
