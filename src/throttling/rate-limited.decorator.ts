import { ExecutionContext, SetMetadata } from '@nestjs/common';

export type RateLimitKind = 'credentials' | 'refresh' | 'recovery';
const RATE_LIMIT_KIND = 'rateLimitKind';

/**
 * Per-client-address limit on this route, counted by the global RateLimitGuard before any
 * authentication (so refused refreshes count too); the limit of each kind comes from the
 * configuration, and every route of one kind shares one counter per client.
 */
export const RateLimited = (kind: RateLimitKind) => SetMetadata(RATE_LIMIT_KIND, kind);

export function rateLimitKindOf(context: ExecutionContext): RateLimitKind | undefined {
  return Reflect.getMetadata(RATE_LIMIT_KIND, context.getHandler()) as RateLimitKind | undefined;
}
