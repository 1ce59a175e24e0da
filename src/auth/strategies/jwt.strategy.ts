import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { SESSION_ENDED, SessionsService } from '../../sessions/sessions.service';
import { AuthCookie } from '../cookies/auth-cookie';
import { Principal } from '../principal';
import { AccessClaims, AccessTokens, hasAccessClaims } from '../tokens/access-tokens';
import { VerifiedTokens } from '../tokens/verified-tokens';

/** Access: a valid JWT from the access cookie *and* a live session, so revocation bites at once. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly cookie: AuthCookie,
    accessTokens: AccessTokens,
    private readonly sessions: SessionsService,
    private readonly verified: VerifiedTokens,
  ) {
    super({
      jwtFromRequest: (req: Request) => cookie.accessToken(req),
      ...accessTokens.strategyOptions(),
      passReqToCallback: true,
    });
  }

  /** Called by passport-jwt once the token's signature, kid, alg, iss, aud and exp are checked. */
  async validate(req: Request, payload: unknown): Promise<Principal> {
    if (!hasAccessClaims(payload)) throw new UnauthorizedException(SESSION_ENDED);
    const principal = await this.principalOf(payload);
    const { exp } = payload as { exp?: unknown };
    if (typeof exp === 'number') this.verified.remember(this.cookie.accessToken(req)!, { sub: payload.sub, sid: payload.sid }, exp);
    return principal;
  }

  /** The caller behind verified claims, if their session is still live. */
  async principalOf(claims: AccessClaims): Promise<Principal> {
    if (!(await this.sessions.isLive(claims.sid, claims.sub))) throw new UnauthorizedException(SESSION_ENDED);
    return { userId: claims.sub, sessionId: claims.sid };
  }
}
