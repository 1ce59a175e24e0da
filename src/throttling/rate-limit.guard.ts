import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { clientOf } from '../common/client';
import { securityEvent } from '../common/security-events';
import { StoreUnavailableError } from '../storage/storage.errors';
import { rateLimitKindOf } from './rate-limited.decorator';

/**
 * The global per-client rate limit (429 with Retry-After), on the routes marked @RateLimited
 * only. Global guards run before route guards: a refresh is counted before the refresh guard
 * can refuse it, so failed refreshes meet the limit too.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /**
   * When the counters cannot be reached: credential routes fail closed (503: no unmetered
   * password guessing), refresh goes on uncounted and meets the store itself, as before.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await super.canActivate(context);
    } catch (error) {
      if (error instanceof StoreUnavailableError && rateLimitKindOf(context) === 'refresh') return true;
      throw error;
    }
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return rateLimitKindOf(context) === undefined;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: Parameters<ThrottlerGuard['throwThrottlingException']>[1]): Promise<void> {
    const client = clientOf(context.switchToHttp().getRequest<Request>());
    securityEvent('rate_limited', { kind: rateLimitKindOf(context), client }, 'warn');
    return super.throwThrottlingException(context, detail);
  }
}
