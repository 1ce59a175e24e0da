// Setup-time HTTP calls from the parent (logins, checks); the load itself comes from the loader.
export const PASSWORD = 'bench-password-1234';

export async function api(srv, method, path, { cookie, body } = {}) {
  const headers = {};
  if (cookie) headers.cookie = cookie;
  if (body) headers['content-type'] = 'application/json';
  const res = await fetch(srv.url + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  const cookieOut = res.headers.getSetCookie().find((c) => c.startsWith('auth-cookie='))?.split(';')[0] ?? null;
  return { status: res.status, body: json, text, cookie: cookieOut };
}

export async function checkOk(srv, method, path, cookie) {
  const r = await api(srv, method, path, { cookie });
  if (r.status !== 200) throw new Error(`${srv.name}: ${method} ${path} answered ${r.status} ${r.text.slice(0, 200)}`);
  return r;
}

/** Logs each name in (4 at a time), one session per entry; returns the cookies in order. */
export async function loginAll(srv, usernames) {
  const cookies = new Array(usernames.length);
  let next = 0;
  async function worker() {
    while (next < usernames.length) {
      const i = next++;
      const r = await api(srv, 'POST', '/auth/login', { body: { username: usernames[i], password: PASSWORD } });
      if (r.status !== 200) throw new Error(`${srv.name}: login of ${usernames[i]} answered ${r.status} ${r.text.slice(0, 200)}`);
      cookies[i] = r.cookie;
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker));
  return cookies;
}

/** Bench user names: 5 sessions each (MAX_SESSIONS_PER_USER is 10), `count` sessions in all. */
export function usersFor(kind, count) {
  return Array.from({ length: count }, (_, i) => `bench-${kind}-${Math.floor(i / 5)}`);
}

/**
 * The environment of a service under test (SQLite unless `extra` sets MONGODB_URI). Rate limits
 * are lifted (limits of 10^8) and the window shortened to 1 s. That window dates from
 * @nestjs/throttler's in-memory store, whose per-key hit arrays cost O(entries) per request under
 * a lifted limit; the counters now live in the store (one row per key), and the setting stays so
 * that figures compare with earlier runs. The refresh driver gives each virtual client its own
 * source IP. The flood server (flood.mjs) removes these three for the service's defaults.
 */
export function serviceEnv(dataDir, secrets, { bcryptCost, uvThreadpoolSize }, extra = {}) {
  return {
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    ...secrets,
    COOKIE_SECURE: 'false',
    RATE_LIMIT_LOGIN: '100000000',
    RATE_LIMIT_REFRESH: '100000000',
    RATE_LIMIT_WINDOW: '1s',
    BCRYPT_COST: String(bcryptCost),
    MONGODB_URI: '',
    UV_THREADPOOL_SIZE: String(uvThreadpoolSize),
    ...extra,
  };
}
