import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { RetryLaterException } from '../common/retry-later.exception';
import { AppConfig } from '../config/app-config';

/** bcrypt looks at the first 72 bytes only; longer passwords are refused, never truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 8;

/**
 * Password hashing with bcrypt's async API, which runs on libuv's pool, never on the event loop.
 * At most MAX_PENDING_PASSWORD_CHECKS hashes and checks run or wait at once: past that a flood
 * of guesses would only queue, and every sign-in behind it would wait with it, so the extra ones
 * are answered 503 at once. A bound on this process's CPU, so per process by nature.
 */
@Injectable()
export class Passwords implements OnModuleInit {
  /** Compared against when the user does not exist, so both failures cost the same bcrypt work. */
  private decoyHash = '';
  private pending = 0;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    this.decoyHash = await this.hash(randomBytes(18).toString('base64'));
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => bcrypt.hash(password, this.config.passwords.bcryptCost));
  }

  /** Always does one full bcrypt comparison, whether or not there is a hash to compare with. */
  async matches(password: string, hash: string | undefined): Promise<boolean> {
    const matches = await this.bounded(() => bcrypt.compare(password, hash ?? this.decoyHash));
    return matches && hash !== undefined;
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.pending >= this.config.passwords.maxPending) {
      throw new RetryLaterException(HttpStatus.SERVICE_UNAVAILABLE, 'Too many sign-ins in progress; try again in a moment', 1);
    }
    this.pending++;
    try {
      return await work();
    } finally {
      this.pending--;
    }
  }
}
