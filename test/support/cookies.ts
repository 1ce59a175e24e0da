import type { Response } from 'supertest';

export const COOKIE_NAME = 'auth-cookie';

export interface AuthCookieValue {
  token: string;
  refreshToken: string;
}

/** The raw Set-Cookie line for auth-cookie in a response, if any. */
export function setCookieLine(res: Response): string | undefined {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  return header?.find((line) => line.startsWith(`${COOKIE_NAME}=`));
}

/** Decodes the `j:` JSON value Express wrote. */
export function authCookieOf(res: Response): AuthCookieValue {
  const line = setCookieLine(res);
  if (!line) throw new Error(`no ${COOKIE_NAME} in response ${res.status}`);
  const raw = decodeURIComponent(line.slice(COOKIE_NAME.length + 1).split(';')[0]);
  if (!raw.startsWith('j:')) throw new Error(`not a j: cookie: ${raw}`);
  return JSON.parse(raw.slice(2)) as AuthCookieValue;
}

/** A Cookie request header carrying `value` the way Express would have written it. */
export function cookieHeader(value: unknown): string {
  return `${COOKIE_NAME}=${encodeURIComponent(`j:${JSON.stringify(value)}`)}`;
}

/** A Cookie header with a raw, unencoded value (garbage, truncations). */
export function rawCookieHeader(raw: string): string {
  return `${COOKIE_NAME}=${raw}`;
}

export function isCleared(res: Response): boolean {
  const line = setCookieLine(res);
  return line !== undefined && /Expires=Thu, 01 Jan 1970/.test(line);
}
