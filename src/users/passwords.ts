import { Injectable, OnModuleInit } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';

/** bcrypt looks at the first 72 bytes only; longer passwords are refused, never truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 8;

/** Password hashing with bcrypt's async API, which runs on libuv's pool, never on the event loop. */
@Injectable()
export class Passwords implements OnModuleInit {
  /** Compared against when the user does not exist, so both failures cost the same bcrypt work. */
  private decoyHash = '';

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    this.decoyHash = await this.hash(randomBytes(18).toString('base64'));
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.passwords.bcryptCost);
  }

  /** Always does one full bcrypt comparison, whether or not there is a hash to compare with. */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash ?? this.decoyHash);
    return matches && hash !== undefined;
  }
}
