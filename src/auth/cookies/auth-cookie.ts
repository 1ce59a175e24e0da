import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { CookieOptions, HttpRequest, HttpResponse, clearCookie, cookiesOf, setCookie } from '../../http/http';
import { isAccessTokenShape } from '../tokens/access-tokens';
import { isRefreshTokenShape } from '../tokens/refresh-tokens';

export interface AuthCookieValue {
  token: string;
  refreshToken: string;
}

/** The split layout's names: browsers only accept them Secure, and `__Host-` also pins Path=/ and no Domain. */
export const SPLIT_ACCESS_COOKIE = '__Host-access';
export const SPLIT_REFRESH_COOKIE = '__Secure-refresh';
/** The refresh cookie goes only to this path (and below it): POST /auth/refresh and GET /auth/refresh/page. */
export const REFRESH_PATH = '/auth/refresh';

/**
 * The cookie's JSON is untrusted input: only two strings of the expected shapes are accepted,
 * so an object such as {"$ne": null} can never reach a query.
 */
export function parseAuthCookie(value: unknown): AuthCookieValue | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { token, refreshToken } = value as Record<string, unknown>;
  return isAccessTokenShape(token) && isRefreshTokenShape(refreshToken) ? { token, refreshToken } : null;
}

interface CookieSpec {
  name: string;
  options: CookieOptions;
}

/** The tokens a request's cookies hold, each null when absent or not of our shape. */
type Tokens = { token: string | null; refreshToken: string | null };

/**
 * The only code that sets, clears or reads the session cookies; every flag is decided here.
 * The single layout (the default) keeps both tokens in one `j:` JSON cookie. The split layout
 * keeps the access token in `__Host-access` and the refresh token in `__Secure-refresh`, which
 * the browser sends only to /auth/refresh, SameSite=Strict: a page or script elsewhere on the
 * site never carries the long-lived credential.
 */
@Injectable()
export class AuthCookie {
  readonly layout: 'single' | 'split';
  private readonly cookies: readonly CookieSpec[];
  private readonly readFrom = new WeakMap<HttpRequest, Tokens>();

  constructor(config: AppConfig) {
    const { name, sameSite, secure, layout } = config.cookie;
    this.layout = layout;
    this.cookies =
      layout === 'single'
        ? [{ name, options: { httpOnly: true, sameSite, secure, path: '/' } }]
        : [
            { name: SPLIT_ACCESS_COOKIE, options: { httpOnly: true, sameSite, secure: true, path: '/' } },
            { name: SPLIT_REFRESH_COOKIE, options: { httpOnly: true, sameSite: 'strict', secure: true, path: REFRESH_PATH } },
          ];
  }

  /** Max-Age is what is left of the refresh lifetime, so the browser drops it when the session can no longer refresh. */
  set(res: HttpResponse, value: AuthCookieValue, refreshExpiresAt: Date): void {
    const maxAge = maxAgeUntil(refreshExpiresAt);
    if (this.layout === 'single') {
      const [{ name, options }] = this.cookies;
      setCookie(res, name, { token: value.token, refreshToken: value.refreshToken }, { ...options, maxAge });
      return;
    }
    // The access cookie lives as long as the refresh one: an expired JWT must still reach /auth/refresh with it.
    const [access, refresh] = this.cookies;
    setCookie(res, access.name, value.token, { ...access.options, maxAge });
    setCookie(res, refresh.name, value.refreshToken, { ...refresh.options, maxAge });
  }

  /**
   * Split layout only: a new access token for the same session (re-authentication on a route
   * the refresh cookie never reaches). The refresh cookie stays as it is; both keep one Max-Age.
   */
  replaceAccessToken(res: HttpResponse, token: string, refreshExpiresAt: Date): void {
    if (this.layout !== 'split') throw new Error('the single layout writes both tokens together: use set()');
    const [access] = this.cookies;
    setCookie(res, access.name, token, { ...access.options, maxAge: maxAgeUntil(refreshExpiresAt) });
  }

  clear(res: HttpResponse): void {
    for (const { name, options } of this.cookies) clearCookie(res, name, options);
  }

  /** Both tokens. In the split layout the browser sends the refresh half only under REFRESH_PATH. */
  read(req: HttpRequest): AuthCookieValue | null {
    const { token, refreshToken } = this.tokensIn(req);
    return token !== null && refreshToken !== null ? { token, refreshToken } : null;
  }

  /** The access JWT alone: all that the access guard, logout and the pages may use. */
  accessToken(req: HttpRequest): string | null {
    return this.tokensIn(req).token;
  }

  /** What the request's cookies hold, read once per request: the CSRF binding, a guard and the handler may all ask. */
  private tokensIn(req: HttpRequest): Tokens {
    let tokens = this.readFrom.get(req);
    if (!tokens) this.readFrom.set(req, (tokens = this.parse(req)));
    return tokens;
  }

  private parse(req: HttpRequest): Tokens {
    const jar = cookiesOf(req);
    if (this.layout === 'single') {
      const value = parseAuthCookie(jar?.[this.cookies[0].name]);
      return { token: value?.token ?? null, refreshToken: value?.refreshToken ?? null };
    }
    const token = jar?.[SPLIT_ACCESS_COOKIE];
    const refreshToken = jar?.[SPLIT_REFRESH_COOKIE];
    return { token: isAccessTokenShape(token) ? token : null, refreshToken: isRefreshTokenShape(refreshToken) ? refreshToken : null };
  }

  /** Whether the request carries any of this layout's cookies, valid or not (a dead one gets cleared). */
  isPresent(req: HttpRequest): boolean {
    const jar = cookiesOf(req);
    return this.cookies.some(({ name }) => jar?.[name] !== undefined);
  }
}

/** What is left of the refresh lifetime: every session cookie's Max-Age (ms). */
function maxAgeUntil(refreshExpiresAt: Date): number {
  return Math.max(0, refreshExpiresAt.getTime() - Date.now());
}
