import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { unauthorizedFrom } from './jwt-auth.guard';

@Injectable()
export class JwtRefreshGuard extends AuthGuard('jwt-refresh') {
  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err || !user) throw unauthorizedFrom(err, info);
    return user;
  }
}
