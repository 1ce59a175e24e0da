import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { SESSION_ENDED, SessionsService } from '../../sessions/sessions.service';
import { AuthCookie } from '../cookies/auth-cookie';
import { RefreshPrincipal } from '../principal';
import { AccessClaims, AccessTokens, hasAccessClaims } from '../tokens/access-tokens';

/** The payload's sub and sid, decoded without verification (the caller knows it cannot verify). */
function unverifiedClaims(token: string): AccessClaims | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as unknown;
    return hasAccessClaims(payload) ? { sub: payload.sub, sid: payload.sid } : null;
  } catch {
    return null;
  }
}

/**
 * Refresh: the JWT from the same cookie, signature checked but expiry ignored, plus the refresh
 * token beside it. The refresh record decides who the caller is; the JWT must agree with it.
 */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(Strategy, 'jwt-refresh') {
  constructor(
    private readonly cookie: AuthCookie,
    private readonly accessTokens: AccessTokens,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: (req: Request) => cookie.read(req)?.token ?? null,
      ...accessTokens.strategyOptions(),
      ignoreExpiration: true,
      passReqToCallback: true,
    });
  }

  /**
   * A JWT signed under a key since dropped from JWT_ACCESS_KEYS can no longer be checked, yet
   * its session must survive the key rotation. Then the refresh token decides (it is the
   * credential: 256 random bits), and the JWT's unverifiable claims must still name the same
   * session. Anything else goes through passport-jwt's full verification.
   */
  override authenticate(req: Request, options?: object): void {
    const cookie = this.cookie.read(req);
    if (!cookie || !this.accessTokens.keys.isFromDroppedKey(cookie.token)) return super.authenticate(req, options);
    this.identify(cookie.refreshToken, unverifiedClaims(cookie.token)).then(
      (principal) => this.success(principal),
      (error: unknown) => (error instanceof UnauthorizedException ? this.fail(error, 401) : this.error(error as Error)),
    );
  }

  async validate(req: Request, payload: unknown): Promise<RefreshPrincipal> {
    const refreshToken = this.cookie.read(req)?.refreshToken;
    if (!refreshToken || !hasAccessClaims(payload)) throw new UnauthorizedException(SESSION_ENDED);
    return this.identify(refreshToken, payload);
  }

  private async identify(refreshToken: string, claims: AccessClaims | null): Promise<RefreshPrincipal> {
    if (!claims) throw new UnauthorizedException(SESSION_ENDED);
    const record = await this.sessions.identifyRefresh(refreshToken, claims);
    if (!record) throw new UnauthorizedException(SESSION_ENDED);
    return { userId: record.userId, sessionId: record.sessionId, record, refreshToken };
  }
}
