import { Injectable } from '@nestjs/common';
import { DoubleCsrfUtilities, doubleCsrf } from 'csrf-csrf';
import { AppConfig } from '../../config/app-config';
import { HttpRequest, HttpResponse, cookiesOf, header, setCookie } from '../../http/http';
import { AuthCookie } from '../cookies/auth-cookie';
import { Authenticator } from '../authenticator';

export const CSRF_COOKIE = '__Host-csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
/** The hidden field the server-rendered forms carry (they cannot set a header). */
export const CSRF_FIELD = '_csrf';

/**
 * CSRF_MODE=double-submit (csrf-csrf): a token is an HMAC over the session id and a random
 * value, kept in an HttpOnly `__Host-` cookie and sent back by the client in a header or form
 * field. A forged request cannot read the token, and a sibling subdomain cannot plant the cookie
 * (`__Host-`). Bound to the session the access token names ('' before sign-in), so a token
 * taken from one session is worthless in another.
 */
@Injectable()
export class CsrfTokens {
  readonly enabled: boolean;
  private readonly csrf: DoubleCsrfUtilities;

  constructor(
    config: AppConfig,
    private readonly cookie: AuthCookie,
    private readonly authenticator: Authenticator,
  ) {
    this.enabled = config.csrf.mode === 'double-submit';
    this.csrf = doubleCsrf({
      getSecret: () => config.csrf.secret,
      getSessionIdentifier: (req) => this.sessionOf(req as HttpRequest),
      cookieName: CSRF_COOKIE,
      cookieOptions: { httpOnly: true, sameSite: 'strict', secure: true, path: '/' },
      getCsrfTokenFromRequest: (req) => tokenSentWith(req as HttpRequest),
    });
  }

  /** The caller's token: the one in its cookie while that is still valid (open tabs keep working), else a new one. */
  issue(req: HttpRequest, res: HttpResponse): string {
    // csrf-csrf would call .split on a cookie that cookie-parser turned into an object (a `j:` value).
    const overwrite = typeof cookiesOf(req)?.[CSRF_COOKIE] !== 'string';
    // csrf-csrf reads req.cookies and writes through res.cookie: give it that one method, on any platform.
    const writer = { cookie: (name: string, value: string, options: object) => setCookie(res, name, value, options as never) };
    return this.csrf.generateCsrfToken(req as CsrfRequest, writer as unknown as CsrfResponse, { overwrite });
  }

  /** Header (or form field) equals the cookie, and the cookie's HMAC is ours for this session. */
  isValid(req: HttpRequest): boolean {
    return this.csrf.validateRequest(req as CsrfRequest);
  }

  private sessionOf(req: HttpRequest): string {
    const token = this.cookie.accessToken(req);
    return (token && this.authenticator.sessionNamedBy(token)?.sid) || '';
  }
}

type CsrfRequest = Parameters<DoubleCsrfUtilities['validateRequest']>[0];
type CsrfResponse = Parameters<DoubleCsrfUtilities['generateCsrfToken']>[1];

function tokenSentWith(req: HttpRequest): string | undefined {
  const sent = header(req, CSRF_HEADER);
  if (sent !== undefined) return sent;
  const field = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  return typeof field === 'string' ? field : undefined;
}
