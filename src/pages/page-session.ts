import { Injectable } from '@nestjs/common';
import type { HttpRequest, HttpResponse } from '../http/http';
import { AuthService, SignedIn } from '../auth/auth.service';
import { clientOf } from '../common/client';
import { AuthCookie } from '../auth/cookies/auth-cookie';
import { Principal } from '../auth/principal';

/**
 * The pages' side of the cookie: resuming a session on a page request (refreshing it server-side
 * when the access token has expired) and signing out. Signing in from a form goes through SignIn,
 * as the API does; the cookie itself is written only by AuthCookie.
 */
@Injectable()
export class PageSession {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: AuthCookie,
  ) {}

  /**
   * Who is calling, from the cookie alone. An expired access token with a live refresh token is
   * rotated here and the new cookie goes out on this very response, so the page renders
   * without a redirect. In the split layout the refresh cookie never reaches a page (its Path
   * is /auth/refresh), so an expired one answers 'refresh-needed': the page redirects to
   * GET /auth/refresh/page (`renew`). Null when there is no usable session; a dead cookie is cleared.
   */
  async resume(req: HttpRequest, res: HttpResponse): Promise<Principal | 'refresh-needed' | null> {
    const cookie = this.pageCookie(req);
    const resumed = cookie ? await this.auth.resume(cookie, clientOf(req)) : null;
    if (resumed === 'refresh-needed') return resumed;
    if (!resumed) {
      if (this.cookie.isPresent(req)) this.cookie.clear(res);
      return null;
    }
    if (resumed.refreshed) this.setCookie(res, resumed.refreshed);
    return resumed.principal;
  }

  /**
   * The split layout's page refresh, under /auth/refresh where the browser sends the refresh
   * cookie: rotates (if the access token has expired) and says whether the session goes on.
   * Without the refresh cookie, as on a navigation from another site (SameSite=Strict), nothing
   * is cleared: another site must not be able to sign anyone out.
   */
  async renew(req: HttpRequest, res: HttpResponse): Promise<boolean> {
    const cookie = this.cookie.read(req);
    if (!cookie) return false;
    const resumed = await this.auth.resume(cookie, clientOf(req));
    if (!resumed || resumed === 'refresh-needed') {
      this.cookie.clear(res);
      return false;
    }
    if (resumed.refreshed) this.setCookie(res, resumed.refreshed);
    return true;
  }

  get refreshesByRedirect(): boolean {
    return this.cookie.layout === 'split';
  }

  /** What a page may use: both tokens, or in the split layout the access token alone. */
  private pageCookie(req: HttpRequest): { token: string; refreshToken?: string } | null {
    if (!this.refreshesByRedirect) return this.cookie.read(req);
    const token = this.cookie.accessToken(req);
    return token ? { token } : null;
  }

  /**
   * Ends the cookie's session. No refresh first: logout accepts an expired access token, and
   * rotating a token only to retire it would be wasted work.
   */
  async signOut(req: HttpRequest, res: HttpResponse): Promise<void> {
    await this.auth.logout(this.cookie.accessToken(req), clientOf(req));
    this.cookie.clear(res);
  }

  clear(res: HttpResponse): void {
    this.cookie.clear(res);
  }

  private setCookie(res: HttpResponse, { cookie, expiresAt }: SignedIn): void {
    this.cookie.set(res, cookie, expiresAt);
  }
}

export function isCaller(resumed: Principal | 'refresh-needed' | null): resumed is Principal {
  return typeof resumed === 'object' && resumed !== null;
}

/** No caller: sign in again, or (split layout, access token expired) renew the session and come back. */
export function elsewhere(resumed: 'refresh-needed' | null): string {
  return resumed === 'refresh-needed' ? '/auth/refresh/page' : '/login';
}
