import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { unauthorized } from '../authenticator';

/** POST /auth/refresh: the `jwt-refresh` strategy must find the caller. */
@Injectable()
export class JwtRefreshGuard extends AuthGuard('jwt-refresh') {
  /** The strategy throws the reason it refused; anything else without a caller is a bad cookie. */
  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    if (!user) throw unauthorized('invalid');
    return user;
  }
}
