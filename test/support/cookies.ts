import type { Response } from 'supertest';

export type CookieLayout = 'single' | 'split';
export type CsrfMode = 'origin' | 'double-submit';

function pick<T extends string>(variable: string, values: readonly T[]): T {
  const value = process.env[variable] || values[0];
  if (!values.includes(value as T)) throw new Error(`${variable} must be one of ${values.join(', ')}; got ${value}`);
  return value as T;
}

/**
 * The end-to-end suites run once per cookie layout and CSRF mode (scripts/test-all.mjs sets
 * these); every helper below speaks the layout chosen here, and startTestApp boots it.
 */
export const COOKIE_LAYOUT = pick<CookieLayout>('TEST_COOKIE_LAYOUT', ['single', 'split']);
export const CSRF_MODE = pick<CsrfMode>('TEST_CSRF_MODE', ['origin', 'double-submit']);
/** The HTTP platform the suites boot (HTTP_PLATFORM); every suite expects the same answers from both. */
export const HTTP_PLATFORM = pick<'express' | 'fastify'>('TEST_HTTP_PLATFORM', ['express', 'fastify']);

/** The cookie that carries the access token: the only one a browser sends to every path. */
export const COOKIE_NAME = COOKIE_LAYOUT === 'split' ? '__Host-access' : 'auth-cookie';
export const REFRESH_COOKIE_NAME = '__Secure-refresh';
/** Every cookie of the layout. */
export const SESSION_COOKIE_NAMES = COOKIE_LAYOUT === 'split' ? [COOKIE_NAME, REFRESH_COOKIE_NAME] : [COOKIE_NAME];

export interface AuthCookieValue {
  token: string;
  refreshToken: string;
}

/** The raw Set-Cookie line for `name` (the access cookie by default) in a response, if any. */
export function setCookieLine(res: Response, name = COOKIE_NAME): string | undefined {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  return header?.find((line) => line.startsWith(`${name}=`));
}

function valueOf(res: Response, name: string): string {
  const line = setCookieLine(res, name);
  if (!line) throw new Error(`no ${name} in response ${res.status}`);
  return decodeURIComponent(line.slice(name.length + 1).split(';')[0]);
}

/** Both tokens, from the `j:` JSON Express wrote (single) or from the two cookies (split). */
export function authCookieOf(res: Response): AuthCookieValue {
  if (COOKIE_LAYOUT === 'split') return { token: valueOf(res, COOKIE_NAME), refreshToken: valueOf(res, REFRESH_COOKIE_NAME) };
  const raw = valueOf(res, COOKIE_NAME);
  if (!raw.startsWith('j:')) throw new Error(`not a j: cookie: ${raw}`);
  return JSON.parse(raw.slice(2)) as AuthCookieValue;
}

/** The access token a response set: from the `j:` JSON (single) or `__Host-access` alone (split). */
export function accessTokenOf(res: Response): string {
  return COOKIE_LAYOUT === 'split' ? valueOf(res, COOKIE_NAME) : authCookieOf(res).token;
}

/**
 * A Cookie request header carrying `value` the way the service would have written it. In the
 * split layout a field that is not a string travels as `j:` JSON, which cookie-parser turns back
 * into that object: hostile values stay hostile whatever the layout.
 */
export function cookieHeader(value: unknown): string {
  if (COOKIE_LAYOUT === 'single') return `${COOKIE_NAME}=${encodeURIComponent(`j:${JSON.stringify(value)}`)}`;
  const asCookieValue = (field: unknown) => encodeURIComponent(typeof field === 'string' ? field : `j:${JSON.stringify(field)}`);
  const { token, refreshToken } = isRecord(value) ? value : { token: undefined, refreshToken: undefined };
  if (token === undefined && refreshToken === undefined) return `${COOKIE_NAME}=${asCookieValue(value)}`;
  return [
    ...(token === undefined ? [] : [`${COOKIE_NAME}=${asCookieValue(token)}`]),
    ...(refreshToken === undefined ? [] : [`${REFRESH_COOKIE_NAME}=${asCookieValue(refreshToken)}`]),
  ].join('; ');
}

/** A Cookie header with a raw, unencoded value (garbage, truncations) in every cookie of the layout. */
export function rawCookieHeader(raw: string): string {
  return SESSION_COOKIE_NAMES.map((name) => `${name}=${raw}`).join('; ');
}

/** Every cookie of the layout is cleared by this response. */
export function isCleared(res: Response): boolean {
  return SESSION_COOKIE_NAMES.every((name) => /Expires=Thu, 01 Jan 1970/.test(setCookieLine(res, name) ?? ''));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface CookieFlags {
  /** A regex fragment for the Max-Age seconds. */
  maxAge?: string;
  sameSite?: 'Lax' | 'Strict';
  /** Secure on the single layout's cookie (the split layout's are always Secure). */
  secure?: boolean;
}

/** Each cookie of the layout: a pattern of its value, its Path, and its flags after HttpOnly. */
function layoutCookies({ sameSite = 'Lax', secure = false }: CookieFlags) {
  return COOKIE_LAYOUT === 'single'
    ? [{ name: COOKIE_NAME, value: 'j%3A[^;]+', path: '/', flags: `${secure ? '; Secure' : ''}; SameSite=${sameSite}` }]
    : [
        { name: COOKIE_NAME, value: '[\\w-]+\\.[\\w-]+\\.[\\w-]+', path: '/', flags: `; Secure; SameSite=${sameSite}` },
        { name: REFRESH_COOKIE_NAME, value: '[A-Za-z0-9]{43}', path: '/auth/refresh', flags: '; Secure; SameSite=Strict' },
      ];
}

/** The response sets exactly the layout's session cookies, with exactly these flags. */
export function expectSessionCookies(res: Response, flags: CookieFlags = {}): void {
  const maxAge = flags.maxAge ?? '\\d+';
  const expected = layoutCookies(flags).map(({ name, value, path, flags: rest }) =>
    expect.stringMatching(new RegExp(`^${name}=${value}; Max-Age=${maxAge}; Path=${path}; Expires=[^;]+ GMT; HttpOnly${rest}$`)),
  );
  expect(SESSION_COOKIE_NAMES.map((name) => setCookieLine(res, name))).toEqual(expected);
}

/** The response clears every session cookie of the layout with the flags it was set with. */
export function expectSessionCookiesCleared(res: Response, flags: CookieFlags = {}): void {
  const expected = layoutCookies(flags).map(({ name, path, flags: rest }) => `${name}=; Path=${path}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly${rest}`);
  expect(SESSION_COOKIE_NAMES.map((name) => setCookieLine(res, name))).toEqual(expected);
}
