import { Injectable } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { isAccessTokenShape } from '../tokens/access-tokens';
import { isRefreshTokenShape } from '../tokens/refresh-tokens';

export interface AuthCookieValue {
  token: string;
  refreshToken: string;
}

/**
 * The cookie's JSON is untrusted input: only two strings of the expected shapes are accepted,
 * so an object such as {"$ne": null} can never reach a query.
 */
export function parseAuthCookie(value: unknown): AuthCookieValue | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { token, refreshToken } = value as Record<string, unknown>;
  return isAccessTokenShape(token) && isRefreshTokenShape(refreshToken) ? { token, refreshToken } : null;
}

/** The only code that sets, clears or reads `auth-cookie`; every flag is decided here. */
@Injectable()
export class AuthCookie {
  private readonly options: CookieOptions;

  constructor(private readonly config: AppConfig) {
    this.options = {
      httpOnly: true,
      sameSite: config.cookie.sameSite,
      secure: config.cookie.secure,
      path: '/',
    };
  }

  get name(): string {
    return this.config.cookie.name;
  }

  /** Max-Age is what is left of the refresh lifetime, so the browser drops it when the session can no longer refresh. */
  set(res: Response, value: AuthCookieValue, refreshExpiresAt: Date): void {
    const maxAge = Math.max(0, refreshExpiresAt.getTime() - Date.now());
    res.cookie(this.name, { token: value.token, refreshToken: value.refreshToken }, { ...this.options, maxAge });
  }

  clear(res: Response): void {
    res.clearCookie(this.name, this.options);
  }

  read(req: Request): AuthCookieValue | null {
    return parseAuthCookie((req.cookies as Record<string, unknown> | undefined)?.[this.name]);
  }
}
