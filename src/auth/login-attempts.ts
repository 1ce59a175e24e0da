import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** Bound on the accounts tracked at once; the stalest entries go first. */
const MAX_TRACKED = 100_000;

interface Attempts {
  failures: number[];
  lockedUntil: number;
}

/**
 * Per-account brute-force defence, beside the per-IP rate limit: LOGIN_MAX_FAILURES failed
 * logins within LOGIN_FAILURE_WINDOW lock that username's password checks for LOGIN_LOCKOUT.
 * Keyed by the normalised username whether or not such a user exists, and a locked login is
 * answered exactly like a wrong password, so it reveals nothing about the account. Counters
 * live in this process (see README, known limits).
 */
@Injectable()
export class LoginAttempts {
  private readonly byUsername = new Map<string, Attempts>();

  constructor(private readonly config: AppConfig) {}

  isLocked(username: string, now = Date.now()): boolean {
    return (this.byUsername.get(username)?.lockedUntil ?? 0) > now;
  }

  recordFailure(username: string, now = Date.now()): void {
    const { maxFailures, windowMs, lockoutMs } = this.config.bruteForce;
    const entry = this.byUsername.get(username) ?? { failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((at) => at > now - windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= maxFailures) {
      entry.lockedUntil = now + lockoutMs;
      entry.failures = [];
    }
    this.byUsername.delete(username); // re-insert: Map order is then least recently failed first
    this.byUsername.set(username, entry);
    if (this.byUsername.size > MAX_TRACKED) this.byUsername.delete(this.byUsername.keys().next().value!);
  }

  recordSuccess(username: string): void {
    this.byUsername.delete(username);
  }
}
