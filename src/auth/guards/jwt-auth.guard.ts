import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../decorators/public.decorator';

/** Turns passport's reasons into messages a client can act on; errors from validate pass through. */
export function unauthorizedFrom(err: unknown, info: unknown): Error {
  if (err) return err as Error;
  const name = (info as Error | undefined)?.name;
  if (name === 'TokenExpiredError') return new UnauthorizedException('Access token expired; call POST /auth/refresh');
  if (info instanceof Error && info.message === 'No auth token') return new UnauthorizedException('Not signed in');
  return new UnauthorizedException('Not signed in: the auth cookie is missing or invalid');
}

/** Global: every route needs a live session unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err || !user) throw unauthorizedFrom(err, info);
    return user;
  }
}
