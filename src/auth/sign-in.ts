import { Injectable } from '@nestjs/common';
import { clientOf } from '../common/client';
import type { HttpRequest, HttpResponse } from '../http/http';
import { User } from '../users/user';
import { AuthService } from './auth.service';
import { AuthCookie } from './cookies/auth-cookie';
import { DeviceCookie } from './cookies/device-cookie';
import { LoginDto } from './dto/login.dto';
import { SignupDto } from './dto/signup.dto';

/**
 * The one way into a session, for the API and the pages alike. Each way in proves who the user
 * is (a password, a new account) and then ends in `complete`, which starts the session, writes
 * the session cookie, remembers the browser as the user's device and logs the sign-in. A further
 * step (a second factor) belongs in `complete`, before the session starts, where no way in can
 * skip it and every client gets the same answer.
 */
@Injectable()
export class SignIn {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: AuthCookie,
    private readonly device: DeviceCookie,
  ) {}

  /** POST /auth/login and the login form. */
  async withPassword(body: LoginDto, req: HttpRequest, res: HttpResponse): Promise<User> {
    const user = await this.auth.checkPassword(body, clientOf(req), this.device.read(req));
    return this.complete(user, 'password', req, res);
  }

  /** POST /auth/signup and the signup form: the new account's password was just set, so it is proved. */
  async signup(body: SignupDto, req: HttpRequest, res: HttpResponse): Promise<User> {
    const user = await this.auth.createAccount(body);
    return this.complete(user, 'signup', req, res);
  }

  private async complete(user: User, method: 'password' | 'signup', req: HttpRequest, res: HttpResponse): Promise<User> {
    const { cookie, expiresAt } = await this.auth.startSession(user, method, clientOf(req));
    this.cookie.set(res, cookie, expiresAt);
    this.device.remember(req, res, user.username);
    return user;
  }
}
