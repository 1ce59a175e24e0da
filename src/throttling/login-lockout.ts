import { Injectable } from '@nestjs/common';
import { ClientInfo } from '../common/client';
import { securityEvent } from '../common/security-events';
import { AppConfig } from '../config/app-config';
import { Counter, CounterStore, retryAfterSeconds } from './counter-store';

/** Whose password checks are counted: the username's, or a device's that proved it earlier. */
export interface LockoutSubject {
  /** Normalised. */
  username: string;
  /** From a valid device cookie for this username (OWASP device cookies), else null. */
  deviceId: string | null;
}

export type Slot = { granted: true; key: string } | { granted: false; retryAfterSeconds: number };

/** How a counted check went: right, wrong, or not run because the subject is locked. */
export type CheckOutcome = { outcome: 'match' } | { outcome: 'mismatch' } | { outcome: 'locked'; retryAfterSeconds: number };

/**
 * Per-account brute-force defence, beside the per-client rate limit: at most LOGIN_MAX_FAILURES
 * password checks per subject within LOGIN_FAILURE_WINDOW; the attempt past them locks the
 * subject for LOGIN_LOCKOUT. A check takes its slot in the store *before* bcrypt runs and gives
 * it back when the password was right, so parallel guesses can never run more checks than the
 * cap, on any number of instances. Keyed by the normalised username whether or not such a user
 * exists. A browser holding a device cookie for the username is counted on that device alone:
 * an attacker who locks the username does not lock out its owner.
 */
@Injectable()
export class LoginLockout {
  private readonly checks: Counter;
  private readonly maxFailures: number;

  constructor(counters: CounterStore, config: AppConfig) {
    const { maxFailures, windowMs, lockoutMs } = config.bruteForce;
    this.maxFailures = maxFailures;
    this.checks = counters.counter({ name: 'login', points: maxFailures, windowSeconds: windowMs / 1000, blockSeconds: lockoutMs / 1000 });
  }

  async take(subject: LockoutSubject, client: ClientInfo): Promise<Slot> {
    const key = keyOf(subject);
    const taken = await this.checks.take(key);
    const { allowed, count } = taken;
    if (allowed) return { granted: true, key };
    if (count === this.maxFailures + 1) {
      securityEvent('account_locked', { username: subject.username, device: subject.deviceId !== null, client }, 'warn');
    }
    return { granted: false, retryAfterSeconds: retryAfterSeconds(taken) };
  }

  /**
   * Runs one check of a secret (a password, a second-step code) as a counted attempt on
   * `subject`: the slot is taken in the store before the check runs, so parallel guesses can
   * never run more checks than the cap; a locked subject runs no check at all; a right answer
   * gives its slot back, and so does a check that failed to run (it decided nothing).
   */
  async counted(subject: LockoutSubject, client: ClientInfo, check: () => Promise<boolean>): Promise<CheckOutcome> {
    const slot = await this.take(subject, client);
    if (!slot.granted) return { outcome: 'locked', retryAfterSeconds: slot.retryAfterSeconds };
    let right: boolean;
    try {
      right = await check();
    } catch (error) {
      await this.giveBack(slot);
      throw error;
    }
    if (!right) return { outcome: 'mismatch' };
    await this.giveBack(slot);
    return { outcome: 'match' };
  }

  /**
   * A password reset proved control of the account's address: the username's failures and lock
   * are forgotten, so the owner can sign in with the new password at once. Device counts stay
   * (they lock only the device that failed).
   */
  clear(username: string): Promise<void> {
    return this.checks.reset(keyOf({ username, deviceId: null }));
  }

  /** The password was right: this check does not count as a failure. */
  giveBack(slot: { key: string }): Promise<void> {
    return this.checks.giveBack(slot.key);
  }
}

function keyOf({ username, deviceId }: LockoutSubject): string {
  return deviceId ? `device:${username}:${deviceId}` : `user:${username}`;
}
