import type { ThrottlerStorage } from '@nestjs/throttler';
import { Counter, CounterStore, retryAfterSeconds } from './counter-store';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * @nestjs/throttler's storage, kept in the store's counters instead of process memory, so
 * that every instance on one store counts a client's requests once.
 */
export class StoreThrottlerStorage implements ThrottlerStorage {
  /** One counter family per (window, limit): the two kinds of route, as configured. */
  private readonly families = new Map<string, Counter>();

  constructor(private readonly store: CounterStore) {}

  async increment(key: string, ttlMs: number, limit: number): Promise<ThrottlerStorageRecord> {
    const taken = await this.family(ttlMs, limit).take(key);
    const { allowed, count } = taken;
    const seconds = retryAfterSeconds(taken);
    return { totalHits: count, timeToExpire: seconds, isBlocked: !allowed, timeToBlockExpire: allowed ? 0 : seconds };
  }

  private family(ttlMs: number, limit: number): Counter {
    const id = `${ttlMs}:${limit}`;
    let counter = this.families.get(id);
    if (!counter) {
      counter = this.store.counter({ name: 'rate', points: limit, windowSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) });
      this.families.set(id, counter);
    }
    return counter;
  }
}
