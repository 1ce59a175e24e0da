/** One shared counter family: at most `points` takes per key in `windowSeconds`. */
export interface CounterSpec {
  /** Names the family in the store (keys of different families never meet). */
  name: string;
  points: number;
  windowSeconds: number;
  /** Once a key passes `points`, refuse it for this long (0: until its window ends). */
  blockSeconds?: number;
}

export interface Taken {
  /** False once the key has passed its points (or is blocked): the caller must refuse. */
  allowed: boolean;
  /** The key's count after this take. */
  count: number;
  /** Until the window (or block) ends. */
  msBeforeReset: number;
}

/** A refused take's Retry-After: whole seconds until the window (or block) ends, at least 1. */
export function retryAfterSeconds({ msBeforeReset }: Pick<Taken, 'msBeforeReset'>): number {
  return Math.max(1, Math.ceil(msBeforeReset / 1000));
}

/**
 * Counters that protect the service: per-client rate limits and per-account failure counts.
 * Every instance on one store sees the same numbers: each take is one atomic increment in the
 * store, with expiry, never a read followed by a write.
 */
export interface Counter {
  take(key: string): Promise<Taken>;
  /** Returns one take (a password check that succeeded). */
  giveBack(key: string): Promise<void>;
  /** Forgets the key: its count and any block (a lockout cleared by a password reset). */
  reset(key: string): Promise<void>;
}

/** The storage port for counters; each adapter keeps them in its own store. */
export abstract class CounterStore {
  abstract counter(spec: CounterSpec): Counter;
}
