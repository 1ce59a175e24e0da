import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { HttpRequest, HttpResponse } from '../../http/http';
import { CSRF_FIELD, CsrfTokens } from '../tokens/csrf-tokens';
import { SAFE_METHODS } from './same-origin.guard';

/**
 * CSRF_MODE=double-submit, after the Origin checks: every unsafe request needs the token from
 * GET /auth/csrf. Also offers `req.csrfToken()` (as csrf-csrf's own middleware does) to the
 * pages and their error filter, which put it in their forms.
 */
@Injectable()
export class CsrfTokenGuard implements CanActivate {
  constructor(private readonly tokens: CsrfTokens) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.tokens.enabled) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    req.csrfToken = () => this.tokens.issue(req, http.getResponse<HttpResponse>());
    if (SAFE_METHODS.has(req.method)) return true;
    if (!this.tokens.isValid(req)) {
      throw new ForbiddenException('CSRF token missing or invalid: GET /auth/csrf and send its csrfToken in the X-CSRF-Token header (forms: the _csrf field)');
    }
    // Checked and done with: the DTOs allow no unknown fields.
    if (typeof req.body === 'object' && req.body !== null) delete (req.body as Record<string, unknown>)[CSRF_FIELD];
    return true;
  }
}
