import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config';
import { SESSION_ENDED, SessionsService } from '../../sessions/sessions.service';
import { AuthCookie } from '../cookies/auth-cookie';
import { AccessTokens, hasAccessClaims } from '../tokens/access-tokens';
import { RefreshPrincipal } from '../principal';

/**
 * Refresh: the JWT from the same cookie, signature checked but expiry ignored, plus the refresh
 * token beside it. The refresh record decides who the caller is; the JWT must agree with it.
 */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(Strategy, 'jwt-refresh') {
  constructor(
    config: AppConfig,
    private readonly cookie: AuthCookie,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: (req: Request) => cookie.read(req)?.token ?? null,
      secretOrKey: config.tokens.accessKey as unknown as Buffer,
      ...AccessTokens.verifyOptions(config),
      ignoreExpiration: true,
      passReqToCallback: true,
    });
  }

  async validate(req: Request, payload: unknown): Promise<RefreshPrincipal> {
    const refreshToken = this.cookie.read(req)?.refreshToken;
    if (!refreshToken || !hasAccessClaims(payload)) throw new UnauthorizedException(SESSION_ENDED);
    const record = await this.sessions.identifyRefresh(refreshToken, payload);
    if (!record) throw new UnauthorizedException(SESSION_ENDED);
    return { userId: record.userId, sessionId: record.sessionId, record, refreshToken };
  }
}
