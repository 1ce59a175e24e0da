import type { Server } from 'node:http';
import request from 'supertest';

export const CSRF_COOKIE = '__Host-csrf';
const UNSAFE = new Set(['post', 'put', 'patch', 'delete', 'del']);

type Test = request.Test;
type Agent = InstanceType<typeof request.agent>;

/**
 * CSRF_MODE=double-submit: before each unsafe request, do what a well-behaved client does:
 * GET /auth/csrf with the same cookies and send the token back in X-CSRF-Token (its cookie
 * beside the others). A request that already names X-CSRF-Token is left as the test wrote it.
 * Refusals themselves are proven in test/e2e/csrf-double-submit.e2e-spec.ts, without this.
 */
export function sendingCsrfTokens(server: Server): ReturnType<typeof request> {
  return unsafeRequestsPrepared(request(server), async (test) => {
    const cookie = headerOf(test, 'cookie');
    const res = await request(server).get('/auth/csrf').set(cookie === undefined ? {} : { Cookie: cookie });
    // Headers the server refuses outright (431: too large) get the same answer without a token.
    if (res.status >= 400 && res.status < 500) return;
    const pair = setCookiePair(res, CSRF_COOKIE);
    if (res.status !== 200 || !pair) throw new Error(`GET /auth/csrf answered ${res.status} ${JSON.stringify(res.body)}`);
    test.set('X-CSRF-Token', res.body.csrfToken as string).set('Cookie', cookie === undefined ? pair : `${cookie}; ${pair}`);
  });
}

/** The same for a cookie-jar agent: the token's cookie goes into the jar, as in a browser. */
export function agentSendingCsrfTokens(agent: Agent): Agent {
  return unsafeRequestsPrepared(agent, async (test) => {
    const res = await agent.get('/auth/csrf');
    if (res.status !== 200) throw new Error(`GET /auth/csrf answered ${res.status} ${JSON.stringify(res.body)}`);
    (agent as unknown as { _attachCookies(test: Test): void })._attachCookies(test); // the jar changed since the request was made
    test.set('X-CSRF-Token', res.body.csrfToken as string);
  });
}

/**
 * Browsers treat http://localhost as a secure context and send Secure cookies to it (which the
 * `__Host-` and `__Secure-` names need); superagent's jar would only do so over https.
 */
export function treatingLoopbackAsSecure(agent: Agent): Agent {
  const { jar } = agent as unknown as { jar: { getCookies(access: { secure: boolean }): unknown } };
  const getCookies = jar.getCookies.bind(jar);
  jar.getCookies = (access) => getCookies(Object.assign(access, { secure: true }));
  return agent;
}

function unsafeRequestsPrepared<T extends object>(client: T, prepare: (test: Test) => Promise<void>): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !UNSAFE.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => preparedBeforeSending(value.apply(target, args) as Test, prepare);
    },
  });
}

/** supertest sends on end() (then() calls it): prepare first, unless the test brought its own token. */
function preparedBeforeSending(test: Test, prepare: (test: Test) => Promise<void>): Test {
  const end = test.end.bind(test);
  test.end = (callback) => {
    const ready = headerOf(test, 'x-csrf-token') === undefined ? prepare(test) : Promise.resolve();
    ready.then(
      () => end(callback),
      (error: Error) => callback?.(error, undefined as never),
    );
    return test;
  };
  return test;
}

function headerOf(test: Test, name: string): string | undefined {
  const value = (test as unknown as { get(field: string): string | string[] | undefined }).get(name);
  return Array.isArray(value) ? value.join('; ') : value;
}

function setCookiePair(res: request.Response, name: string): string | undefined {
  const lines = res.headers['set-cookie'] as unknown as string[] | undefined;
  return lines?.find((line) => line.startsWith(`${name}=`))?.split(';')[0];
}
