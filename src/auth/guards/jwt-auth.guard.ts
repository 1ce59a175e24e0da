import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { HttpRequest } from '../../http/http';
import { Authenticator, unauthorized } from '../authenticator';
import { AuthCookie } from '../cookies/auth-cookie';
import { IS_PUBLIC } from '../decorators/public.decorator';

/**
 * Global: every route needs a live session unless marked @Public(). It asks the Authenticator
 * directly, as the `jwt` strategy does: going through passport here cost about a third of an
 * access request's time (measured with autocannon, GET /auth/me against /health/live), and
 * passport adds no rule of its own.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly cookie: AuthCookie,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<HttpRequest>();
    const result = await this.authenticator.access(this.cookie.accessToken(req));
    if ('refused' in result) throw unauthorized(result.refused);
    req.user = result.caller;
    return true;
  }
}
