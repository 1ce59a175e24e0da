import { BadRequestException, HttpStatus, Injectable } from '@nestjs/common';
import { hashOneTimeToken, issueOneTimeToken } from '../auth/tokens/one-time-tokens';
import { ClientInfo } from '../common/client';
import { RetryLaterException } from '../common/retry-later.exception';
import { securityEvent } from '../common/security-events';
import { AppConfig } from '../config/app-config';
import { MailQuota } from '../mail/mail-quota';
import { SecondFactors } from '../mfa/second-factors.service';
import { Mailer } from '../mail/mailer';
import { passwordChangedMail, passwordResetMail } from '../mail/messages';
import { Counter, CounterStore, retryAfterSeconds } from '../throttling/counter-store';
import { LoginLockout } from '../throttling/login-lockout';
import { emailKey } from '../users/email';
import { OneTimeTokensRepository } from '../users/one-time-tokens.repository';
import { User, isVerifiedAddressOf } from '../users/user';
import { UsersService } from '../users/users.service';

export const INVALID_RESET_TOKEN = 'This reset link is invalid, used or expired: ask for a new one at /forgot (POST /auth/password-reset)';

/** Reset confirmations one account may take per window. */
const CONFIRMATIONS_PER_ACCOUNT = { points: 5, windowSeconds: 15 * 60 };

/**
 * Password reset, as the OWASP Forgot Password cheat sheet has it: the request is answered the
 * same way, at once, whatever exists (the lookup, the token and the mail all happen after the
 * answer); a single-use token of 256 random bits, stored as its SHA-256, expiring, one live per
 * account; the reset happens only on a POST of the token, and ends every session.
 */
@Injectable()
export class PasswordReset {
  private readonly confirmationsPerAccount: Counter;

  constructor(
    private readonly users: UsersService,
    private readonly tokens: OneTimeTokensRepository,
    private readonly mailer: Mailer,
    private readonly quota: MailQuota,
    private readonly lockout: LoginLockout,
    private readonly secondFactors: SecondFactors,
    private readonly config: AppConfig,
    counters: CounterStore,
  ) {
    this.confirmationsPerAccount = counters.counter({ name: 'reset_confirm', ...CONFIRMATIONS_PER_ACCOUNT });
  }

  /** The answer's words: the same for every request, whatever exists. */
  get requestedMessage(): string {
    const minutes = Math.round(this.config.mail.resetTtlSeconds / 60);
    return `If that account exists and has a verified e-mail address, a reset link is on its way. It works once, for ${minutes} minutes.`;
  }

  request(by: { username?: string; email?: string }, client: ClientInfo): void {
    this.mailer.requireAvailable();
    if ((by.username === undefined) === (by.email === undefined)) {
      throw new BadRequestException('Send either username or email (one of them)');
    }
    this.mailer.later('password_reset', async () => {
      const user = by.username !== undefined ? await this.users.findByUsername(by.username) : await this.users.findByVerifiedEmail(by.email!);
      securityEvent('password_reset_requested', { userId: user?.id, matched: user?.emailVerified === true, client });
      if (!user || !user.emailVerified || user.email === null) return null;
      if (!(await this.quota.allows('password_reset', { userId: user.id, emailKey: emailKey(user.email) }))) return null;
      const ttl = this.config.mail.resetTtlSeconds;
      // Replaces the account's earlier token, if any: only the newest link works.
      const token = await issueOneTimeToken(this.tokens, { purpose: 'password_reset', userId: user.id, email: user.email, ttlSeconds: ttl });
      return passwordResetMail(user.email, this.mailer.link('/reset', token), ttl);
    });
  }

  /**
   * Sets the new password, ends every session, clears the lockout and sends a notice. Checked
   * before anything changes: the token is live and was mailed to the account's current, verified
   * address (a link sent before the owner changed or lost that address proves nothing now), the
   * account's confirmations are under their limit, the password is acceptable
   * (UsersService.hashNewPassword); then the token is used up atomically, so of concurrent
   * confirmations exactly one resets.
   */
  async confirm(token: string, password: string, client: ClientInfo): Promise<void> {
    this.mailer.requireAvailable();
    const tokenHash = hashOneTimeToken(token);
    const record = await this.tokens.find('password_reset', tokenHash, new Date());
    const user = record && (await this.users.findById(record.userId));
    if (!record || !user || !isVerifiedAddressOf(user, record.email)) throw new BadRequestException(INVALID_RESET_TOKEN);
    const taken = await this.confirmationsPerAccount.take(user.id);
    if (!taken.allowed) {
      securityEvent('password_reset_limited', { userId: user.id, stage: 'confirm', client }, 'warn');
      throw new RetryLaterException(HttpStatus.TOO_MANY_REQUESTS, 'Too many reset attempts for this account; wait and try again (see Retry-After)', retryAfterSeconds(taken));
    }
    const passwordHash = await this.users.hashNewPassword(password, user);
    if (!(await this.tokens.consume('password_reset', tokenHash, new Date()))) throw new BadRequestException(INVALID_RESET_TOKEN);
    const revokedSessions = await this.users.replacePassword(user.id, passwordHash);
    // A reset never skips the second factor: no browser stays remembered past it.
    await this.secondFactors.forgetDevices(user.id);
    await this.lockout.clear(user.username);
    securityEvent('password_reset', { userId: user.id, revokedSessions, client });
    this.notify(user);
  }

  private notify(user: User): void {
    const to = user.email;
    if (to !== null) this.mailer.later('password_changed', async () => passwordChangedMail(to, 'reset'));
  }
}
