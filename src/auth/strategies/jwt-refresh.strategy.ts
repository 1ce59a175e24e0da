import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { SESSION_ENDED, SessionsService } from '../../sessions/sessions.service';
import { AuthCookie } from '../cookies/auth-cookie';
import { RefreshPrincipal } from '../principal';
import { AccessTokens, hasAccessClaims } from '../tokens/access-tokens';

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
   * its session must survive the rotation: then the refresh token alone decides (it is the
   * credential; the JWT only adds a binding we can no longer verify).
   */
  override authenticate(req: Request, options?: object): void {
    const cookie = this.cookie.read(req);
    if (!cookie || this.accessTokens.keys.keyFor(cookie.token)) return super.authenticate(req, options);
    this.identify(cookie.refreshToken, null).then(
      (principal) => this.success(principal),
      (error: unknown) => (error instanceof UnauthorizedException ? this.fail(error, 401) : this.error(error as Error)),
    );
  }

  async validate(req: Request, payload: unknown): Promise<RefreshPrincipal> {
    const refreshToken = this.cookie.read(req)?.refreshToken;
    if (!refreshToken || !hasAccessClaims(payload)) throw new UnauthorizedException(SESSION_ENDED);
    return this.identify(refreshToken, payload);
  }

  private async identify(refreshToken: string, claims: { sub: string; sid: string } | null): Promise<RefreshPrincipal> {
    const record = await this.sessions.identifyRefresh(refreshToken, claims);
    if (!record) throw new UnauthorizedException(SESSION_ENDED);
    return { userId: record.userId, sessionId: record.sessionId, record, refreshToken };
  }
}
