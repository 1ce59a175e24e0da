import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { CookieOptions, HttpRequest, HttpResponse, clearCookie, cookiesOf, setCookie } from '../../http/http';

const PENDING_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The cookie of a password sign-in waiting for its second step: an opaque token whose hash the
 * store keeps with the user and an expiry (SecondFactors). It opens nothing by itself: no guard
 * reads it, only POST /auth/login/mfa and the second-step form. HttpOnly, SameSite=Strict, Path=/,
 * named `__Host-pending` wherever cookies are Secure; it lives as long as the pending sign-in.
 */
@Injectable()
export class PendingSignInCookie {
  private readonly name: string;
  private readonly options: CookieOptions;

  constructor(config: AppConfig) {
    const { secure } = config.cookie;
    this.name = secure ? '__Host-pending' : 'pending';
    this.options = { httpOnly: true, sameSite: 'strict', secure, path: '/' };
  }

  /** Max-Age in whole seconds, rounded up: the browser keeps it as long as the store does, not a second less. */
  set(res: HttpResponse, token: string, expiresAt: Date): void {
    setCookie(res, this.name, token, { ...this.options, maxAge: Math.max(0, Math.ceil((expiresAt.getTime() - Date.now()) / 1000)) * 1000 });
  }

  /** The token, when the request carries one of our shape. */
  read(req: HttpRequest): string | null {
    const value = cookiesOf(req)?.[this.name];
    return typeof value === 'string' && PENDING_TOKEN.test(value) ? value : null;
  }

  clear(res: HttpResponse): void {
    clearCookie(res, this.name, this.options);
  }
}
