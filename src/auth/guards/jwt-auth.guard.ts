import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AuthCookie } from '../cookies/auth-cookie';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { JwtStrategy } from '../strategies/jwt.strategy';
import { VerifiedTokens } from '../tokens/verified-tokens';

/** Turns passport's reasons into messages a client can act on; errors from validate pass through. */
export function unauthorizedFrom(err: unknown, info: unknown): Error {
  if (err) return err as Error;
  const name = (info as Error | undefined)?.name;
  if (name === 'TokenExpiredError') return new UnauthorizedException('Access token expired; call POST /auth/refresh');
  if (info instanceof Error && info.message === 'No auth token') return new UnauthorizedException('Not signed in');
  return new UnauthorizedException('Not signed in: the auth cookie is missing or invalid');
}

/**
 * Global: every route needs a live session unless marked @Public(). A token the `jwt` strategy
 * already verified (and that has not expired) skips passport; its session is checked all the same.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly cookie: AuthCookie,
    private readonly verified: VerifiedTokens,
    private readonly strategy: JwtStrategy,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const token = this.cookie.accessToken(req);
    const claims = token ? this.verified.get(token) : null;
    if (!claims) return super.canActivate(context) as Promise<boolean>;
    req.user = await this.strategy.principalOf(claims);
    return true;
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err || !user) throw unauthorizedFrom(err, info);
    return user;
  }
}
