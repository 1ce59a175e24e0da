import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { hashOneTimeToken, issueOneTimeToken } from '../auth/tokens/one-time-tokens';
import { securityEvent } from '../common/security-events';
import { AppConfig } from '../config/app-config';
import { MailQuota } from '../mail/mail-quota';
import { Mailer } from '../mail/mailer';
import { addressInUseMail, emailChangedMail, verificationMail } from '../mail/messages';
import { DuplicateKeyError } from '../storage/storage.errors';
import { emailKey } from './email';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { User } from './user';
import { UsersRepository } from './users.repository';

export const INVALID_VERIFICATION_TOKEN = 'This verification link is invalid, used or expired: send the address again (PATCH /users/:id) to get a new one';

/**
 * Proof that a user controls the address they gave. A new address gets a single-use link
 * (PUBLIC_URL/verify?token=…); the page posts the token to POST /auth/verify-email. An address
 * that another account has already verified gets a notice for that account's owner instead, and
 * the new account is answered exactly as if nothing were wrong: nobody learns whose address it is.
 */
@Injectable()
export class EmailVerification {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: OneTimeTokensRepository,
    private readonly mailer: Mailer,
    private readonly quota: MailQuota,
    private readonly config: AppConfig,
  ) {}

  /**
   * After the answer: a verification link to the user's new address, or a notice to its verified
   * owner; either within MailQuota's limits (anyone can give any address at signup).
   */
  start(user: User): void {
    const email = user.email;
    if (email === null) return;
    this.mailer.later('email_verification', async () => {
      const owner = await this.users.findByVerifiedEmail(email);
      if (owner && owner.id !== user.id) {
        securityEvent('email_in_use', { userId: user.id, ownerId: owner.id });
        return (await this.quota.allows('email_in_use', { userId: owner.id, emailKey: emailKey(email) })) ? addressInUseMail(owner.email!) : null;
      }
      if (!(await this.quota.allows('email_verification', { userId: user.id, emailKey: emailKey(email) }))) return null;
      const ttl = this.config.mail.verificationTtlSeconds;
      const token = await issueOneTimeToken(this.tokens, { purpose: 'email_verification', userId: user.id, email, ttlSeconds: ttl });
      securityEvent('email_verification_sent', { userId: user.id });
      return verificationMail(email, this.mailer.link('/verify', token), ttl);
    });
  }

  /**
   * After the answer: tells the verified address an account has just left, with a single-use
   * link back (SecureAccount) that restores it and ends every session. Never held back by
   * MailQuota: only the account's password can cause it, and it is the owner's way back.
   */
  tellPreviousAddress(userId: string, previous: string): void {
    this.mailer.later('email_changed', async () => {
      const ttl = this.config.mail.secureAccountTtlSeconds;
      const token = await issueOneTimeToken(this.tokens, { purpose: 'secure_account', userId, email: previous, ttlSeconds: ttl });
      return emailChangedMail(previous, this.mailer.link('/secure-account', token), ttl);
    });
  }

  /** POST /auth/verify-email: 400 for a token that is not live or whose address the user no longer has. */
  async confirm(token: string): Promise<void> {
    this.mailer.requireAvailable();
    const tokenHash = hashOneTimeToken(token);
    const record = await this.tokens.find('email_verification', tokenHash, new Date());
    if (!record) throw new BadRequestException(INVALID_VERIFICATION_TOKEN);
    let verified: User | null;
    try {
      verified = await this.users.markEmailVerified(record.userId, record.email, new Date());
    } catch (error) {
      // Only whoever reads this mailbox gets here: telling them is no leak.
      if (error instanceof DuplicateKeyError) throw new ConflictException('This address already belongs to another account');
      throw error;
    }
    if (!verified) throw new BadRequestException(INVALID_VERIFICATION_TOKEN);
    // After the change, so a refused request changes nothing; a concurrent second use finds it verified already.
    await this.tokens.consume('email_verification', tokenHash, new Date());
    securityEvent('email_verified', { userId: verified.id });
  }
}
