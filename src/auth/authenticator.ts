import { Injectable, UnauthorizedException } from '@nestjs/common';
import { SESSION_ENDED, SessionsService } from '../sessions/sessions.service';
import { AuthCookieValue } from './cookies/auth-cookie';
import { Principal, RefreshPrincipal } from './principal';
import { AccessClaims, AccessTokens } from './tokens/access-tokens';
import { VerifiedTokens } from './tokens/verified-tokens';

/** Why a cookie names no caller. */
export type Refusal = 'absent' | 'invalid' | 'expired' | 'ended';

/** What each refusal tells the client: what happened and what to do next. */
export const REFUSAL_MESSAGES: Readonly<Record<Refusal, string>> = {
  absent: 'Not signed in',
  invalid: 'Not signed in: the auth cookie is missing or invalid',
  expired: 'Access token expired; call POST /auth/refresh',
  ended: SESSION_ENDED,
};

export type Authenticated<Caller> = { caller: Caller } | { refused: Refusal };

export function unauthorized(refusal: Refusal): UnauthorizedException {
  return new UnauthorizedException(REFUSAL_MESSAGES[refusal]);
}

/**
 * The one place that turns the cookie's tokens into a caller, or a reason there is none. The
 * passport strategies, the access guard, logout and the server-rendered pages all ask here;
 * none of them checks a token itself. Cookie layouts are AuthCookie's business: this gets the
 * tokens already read.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly sessions: SessionsService,
    private readonly verified: VerifiedTokens,
  ) {}

  /**
   * Access: a JWT under a key in use, unexpired, whose session is still live (so logout,
   * revocation and theft detection bite at once). A token verified before is remembered until
   * its own `exp`; its session is asked about every time all the same.
   */
  async access(token: string | null, now = new Date()): Promise<Authenticated<Principal>> {
    if (!token) return { refused: 'absent' };
    let claims = this.verified.get(token, now.getTime());
    if (!claims) {
      const checked = this.tokens.verify(token, 'access', now);
      if ('refused' in checked) return checked;
      this.verified.remember(token, checked.claims, checked.exp);
      claims = checked.claims;
    }
    return (await this.sessions.isLive(claims.sid, claims.sub, now)) ? { caller: principalOf(claims) } : { refused: 'ended' };
  }

  /**
   * Refresh: the JWT's signature under a key in use or retired (expiry ignored), and the refresh
   * token beside it. The refresh record, not the JWT, says whose token it is; the JWT must name
   * the same user and session. A JWT we cannot verify refreshes nothing.
   */
  async refresh(cookie: AuthCookieValue | null, now = new Date()): Promise<Authenticated<RefreshPrincipal>> {
    if (!cookie) return { refused: 'absent' };
    const claims = this.sessionNamedBy(cookie.token, now);
    if (!claims) return { refused: 'invalid' };
    const record = await this.sessions.identifyRefresh(cookie.refreshToken, claims, now);
    if (!record) return { refused: 'ended' };
    return { caller: { ...principalOf(claims), record, refreshToken: cookie.refreshToken } };
  }

  /** The session a genuine JWT of ours names, expired or signed with a retired key (logout, CSRF binding). */
  sessionNamedBy(token: string, now = new Date()): AccessClaims | null {
    // A token this process already verified, for access or for this: no second check.
    const remembered = this.verified.get(token, now.getTime()) ?? this.verified.genuineClaims(token);
    if (remembered) return remembered;
    const checked = this.tokens.verify(token, 'refresh', now);
    if ('refused' in checked) return null;
    this.verified.rememberGenuine(token, checked.claims);
    return checked.claims;
  }
}

function principalOf({ sub, sid, authTime }: AccessClaims): Principal {
  return { userId: sub, sessionId: sid, authTime };
}
