import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { callerOrThrow } from './jwt-auth.guard';

/** POST /auth/refresh: the `jwt-refresh` strategy must find the caller. */
@Injectable()
export class JwtRefreshGuard extends AuthGuard('jwt-refresh') {
  override handleRequest<T>(err: unknown, user: T): T {
    return callerOrThrow(err, user);
  }
}
