import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { HttpRequest, header } from '../../http/http';
import { AppConfig } from '../../config/app-config';

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence beside SameSite: a browser always tells where an unsafe request comes from
 * (Sec-Fetch-Site, Origin), and a page on another site cannot forge either. Clients that send
 * neither (curl, Postman, server-to-server) are not browsers and carry no ambient cookie risk.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  private readonly allowed: ReadonlySet<string>;

  constructor(config: AppConfig) {
    this.allowed = new Set(config.http.allowedOrigins);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<HttpRequest>();
    if (SAFE_METHODS.has(req.method)) return true;
    if (header(req, 'sec-fetch-site')?.toLowerCase() === 'cross-site') throw this.refuse();
    const origin = header(req, 'origin');
    if (origin !== undefined && !this.isAllowedOrigin(origin, req) && !isOwnNoReferrerPage(origin, req)) throw this.refuse();
    return true;
  }

  /** The service's own origin (same host as the request) or one listed in ALLOWED_ORIGINS. */
  private isAllowedOrigin(origin: string, req: HttpRequest): boolean {
    if (this.allowed.has(origin)) return true;
    try {
      return new URL(origin).host === header(req, 'host');
    } catch {
      return false; // "null" (sandboxed frames, file://) and garbage
    }
  }

  private refuse(): ForbiddenException {
    return new ForbiddenException('Cross-site request refused: this origin may not change state here');
  }
}

/**
 * The pages that carry a token in their URL (/reset, /verify) send `Referrer-Policy: no-referrer`,
 * so browsers post their forms with `Origin: null`. `Sec-Fetch-Site`, which no page can set or
 * forge, still tells that the post comes from this origin; "null" from anywhere else (a sandboxed
 * frame, another site) stays refused.
 */
function isOwnNoReferrerPage(origin: string, req: HttpRequest): boolean {
  return origin === 'null' && header(req, 'sec-fetch-site')?.toLowerCase() === 'same-origin';
}
