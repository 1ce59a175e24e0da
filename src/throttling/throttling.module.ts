import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { clientOf } from '../common/client';
import { addressBucket } from '../common/ip-address';
import { AppConfig } from '../config/app-config';
import type { HttpRequest } from '../http/http';
import { CounterStore } from './counter-store';
import { LoginLockout } from './login-lockout';
import { RateLimitGuard } from './rate-limit.guard';
import { rateLimitKindOf } from './rate-limited.decorator';
import { StoreThrottlerStorage } from './store-throttler-storage';

/** Abuse defence whose counters live in the store: per-client rate limits and per-account lockout. */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, CounterStore],
      useFactory: (config: AppConfig, counters: CounterStore) => ({
        throttlers: [{ ttl: config.rateLimit.windowMs, limit: (context) => config.rateLimit[rateLimitKindOf(context) ?? 'credentials'] }],
        // The client is its address as the front door decided it (src/common/client.ts), IPv6 by network.
        getTracker: (req) => addressBucket(clientOf(req as HttpRequest).ip ?? 'unknown', config.rateLimit.ipv6Prefix),
        // One counter per kind and client, shared by every route of that kind (API and form login alike).
        generateKey: (context, tracker) => `${rateLimitKindOf(context)}:${tracker}`,
        errorMessage: 'Too many attempts from this client; wait and try again (see Retry-After)',
        storage: new StoreThrottlerStorage(counters),
      }),
    }),
  ],
  providers: [LoginLockout, RateLimitGuard],
  exports: [LoginLockout, RateLimitGuard],
})
export class ThrottlingModule {}
