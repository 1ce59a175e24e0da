import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { HttpRequest } from '../http/http';
import { clientOf } from '../common/client';
import { securityEvent } from '../common/security-events';
import { rateLimitKindOf } from './rate-limited.decorator';

/**
 * The global per-client rate limit (429 with Retry-After), on the routes marked @RateLimited
 * only. Global guards run before route guards: a refresh is counted before the refresh guard
 * can refuse it, so failed refreshes meet the limit too. When the counters cannot be reached the
 * request is answered 503 (StoreUnavailableError): credential routes fail closed, and a refresh,
 * which needs the store anyway, fails as it always did in an outage, without waiting twice.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return rateLimitKindOf(context) === undefined;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: Parameters<ThrottlerGuard['throwThrottlingException']>[1]): Promise<void> {
    const client = clientOf(context.switchToHttp().getRequest<HttpRequest>());
    securityEvent('rate_limited', { kind: rateLimitKindOf(context), client }, 'warn');
    return super.throwThrottlingException(context, detail);
  }
}
