import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { unauthorized } from '../authenticator';

/** Global: every route needs a live session (the `jwt` strategy) unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    return super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, user: T): T {
    return callerOrThrow(err, user);
  }
}

/** The strategy throws the reason it refused; anything else without a caller is a bad cookie. */
export function callerOrThrow<T>(err: unknown, user: T): T {
  if (err) throw err;
  if (!user) throw unauthorized('invalid');
  return user;
}
