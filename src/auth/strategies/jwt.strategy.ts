import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { HttpRequest } from '../../http/http';
import { Authenticator, unauthorized } from '../authenticator';
import { AuthCookie } from '../cookies/auth-cookie';
import { Principal } from '../principal';
import { CookieStrategy } from './cookie-strategy';

/**
 * `jwt`: the access rules (Authenticator.access) on the cookie's access token, for routes guarded
 * with `AuthGuard('jwt')` (an app that lifts this module). Our own global JwtAuthGuard asks the
 * Authenticator the same question without passport's per-request cost.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(CookieStrategy, 'jwt') {
  constructor(
    private readonly cookie: AuthCookie,
    private readonly authenticator: Authenticator,
  ) {
    super();
  }

  async validate(req: HttpRequest): Promise<Principal> {
    const result = await this.authenticator.access(this.cookie.accessToken(req));
    if ('refused' in result) throw unauthorized(result.refused);
    return result.caller;
  }
}
