import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { securityEvent } from '../common/security-events';
import { AppConfig } from '../config/app-config';
import { Counter, CounterStore } from '../throttling/counter-store';

/** The mails that someone other than the account's owner can cause us to send. */
export type LimitedMail = 'password_reset' | 'email_verification' | 'email_in_use';

/**
 * How often mail that others can cause may go out: of each kind, at most MAIL_LIMIT per account
 * and per address in MAIL_LIMIT_WINDOW, counted in the store so that every instance sees one
 * count. Kinds are counted apart, so a flood of one (signups naming someone's address) cannot use
 * up another (that person's own reset links). Notices of the owner's own changes never ask here.
 */
@Injectable()
export class MailQuota {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly store: CounterStore,
    private readonly config: AppConfig,
  ) {}

  /**
   * Takes one mail of `kind` for the account and the address (`emailKey`: its case-insensitive
   * identity); false, and logged, when either is spent.
   */
  async allows(kind: LimitedMail, to: { userId?: string; emailKey: string }): Promise<boolean> {
    const spent =
      to.userId !== undefined && !(await this.counter(kind, 'account').take(to.userId)).allowed
        ? 'account'
        : !(await this.counter(kind, 'address').take(hashed(to.emailKey))).allowed
          ? 'address'
          : null;
    if (spent) securityEvent('mail_limited', { userId: to.userId, kind, per: spent }, 'warn');
    return spent === null;
  }

  private counter(kind: LimitedMail, per: 'account' | 'address'): Counter {
    const name = `mail_${kind}_${per}`;
    let counter = this.counters.get(name);
    if (!counter) {
      counter = this.store.counter({ name, ...this.config.mail.limit });
      this.counters.set(name, counter);
    }
    return counter;
  }
}

/** The store counts an address by its hash: the counters table keeps no addresses. */
function hashed(emailKey: string): string {
  return createHash('sha256').update(emailKey).digest('base64url');
}
