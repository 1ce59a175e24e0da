import { Injectable } from '@nestjs/common';
import { DoubleCsrfUtilities, doubleCsrf } from 'csrf-csrf';
import type { Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
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
      getSessionIdentifier: (req) => this.sessionOf(req),
      cookieName: CSRF_COOKIE,
      cookieOptions: { httpOnly: true, sameSite: 'strict', secure: true, path: '/' },
      getCsrfTokenFromRequest: tokenSentWith,
    });
  }

  /** The caller's token: the one in its cookie while that is still valid (open tabs keep working), else a new one. */
  issue(req: Request, res: Response): string {
    // csrf-csrf would call .split on a cookie that cookie-parser turned into an object (a `j:` value).
    const overwrite = typeof (req.cookies as Record<string, unknown>)[CSRF_COOKIE] !== 'string';
    return this.csrf.generateCsrfToken(req, res, { overwrite });
  }

  /** Header (or form field) equals the cookie, and the cookie's HMAC is ours for this session. */
  isValid(req: Request): boolean {
    return this.csrf.validateRequest(req);
  }

  private sessionOf(req: Request): string {
    const token = this.cookie.accessToken(req);
    return (token && this.authenticator.sessionNamedBy(token)?.sid) || '';
  }
}

function tokenSentWith(req: Request): string | undefined {
  const header = req.get(CSRF_HEADER);
  if (header !== undefined) return header;
  const field = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  return typeof field === 'string' ? field : undefined;
}
