import { ExecutionContext, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

export type RateLimitKind = 'credentials' | 'refresh';
const RATE_LIMIT_KIND = 'rateLimitKind';

/** Per-client-IP limit on this route; the limit for each kind comes from the configuration. */
export const RateLimited = (kind: RateLimitKind) =>
  applyDecorators(SetMetadata(RATE_LIMIT_KIND, kind), UseGuards(ThrottlerGuard));

export function rateLimitKindOf(context: ExecutionContext): RateLimitKind {
  return Reflect.getMetadata(RATE_LIMIT_KIND, context.getHandler()) as RateLimitKind;
}
