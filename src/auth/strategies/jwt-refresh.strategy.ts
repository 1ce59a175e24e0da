import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { HttpRequest } from '../../http/http';
import { Authenticator, unauthorized } from '../authenticator';
import { AuthCookie } from '../cookies/auth-cookie';
import { RefreshPrincipal } from '../principal';
import { CookieStrategy } from './cookie-strategy';

/** `jwt-refresh`: the refresh rules (see Authenticator.refresh) applied to both tokens of the cookie. */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(CookieStrategy, 'jwt-refresh') {
  constructor(
    private readonly cookie: AuthCookie,
    private readonly authenticator: Authenticator,
  ) {
    super();
  }

  async validate(req: HttpRequest): Promise<RefreshPrincipal> {
    const result = await this.authenticator.refresh(this.cookie.read(req));
    if ('refused' in result) throw unauthorized(result.refused);
    return result.caller;
  }
}
