import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { SESSION_ENDED, SessionsService } from '../../sessions/sessions.service';
import { AuthCookie } from '../cookies/auth-cookie';
import { Principal } from '../principal';
import { AccessTokens, hasAccessClaims } from '../tokens/access-tokens';

/** Access: a valid JWT from auth-cookie *and* a live session, so revocation bites at once. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    cookie: AuthCookie,
    accessTokens: AccessTokens,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: (req: Request) => cookie.read(req)?.token ?? null,
      ...accessTokens.strategyOptions(),
    });
  }

  async validate(payload: unknown): Promise<Principal> {
    if (!hasAccessClaims(payload)) throw new UnauthorizedException(SESSION_ENDED);
    const session = await this.sessions.findLive(payload.sid);
    if (!session || session.userId !== payload.sub) throw new UnauthorizedException(SESSION_ENDED);
    return { userId: session.userId, sessionId: session.id };
  }
}
