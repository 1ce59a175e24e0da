import { BadRequestException, Injectable } from '@nestjs/common';
import { hashOneTimeToken } from '../auth/tokens/one-time-tokens';
import { ClientInfo } from '../common/client';
import { securityEvent } from '../common/security-events';
import { Mailer } from '../mail/mailer';
import { OneTimeTokensRepository } from '../users/one-time-tokens.repository';
import { UsersService } from '../users/users.service';

export const INVALID_SECURE_TOKEN = 'This link is invalid, used or expired: if your account is not yours any more, reset its password at /forgot';

/**
 * "This was not me": the single-use link mailed to an address an account has just left
 * (EmailVerification.tellPreviousAddress). Opening the link changes nothing; posting its token
 * gives the address back, ends every session and retires every reset link (UsersService.secure),
 * after which the owner resets the password through that address.
 */
@Injectable()
export class SecureAccount {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: OneTimeTokensRepository,
    private readonly mailer: Mailer,
  ) {}

  async confirm(token: string, client: ClientInfo): Promise<void> {
    this.mailer.requireAvailable();
    // Used up first and atomically: of concurrent posts of one link exactly one acts.
    const record = await this.tokens.consume('secure_account', hashOneTimeToken(token), new Date());
    if (!record) throw new BadRequestException(INVALID_SECURE_TOKEN);
    const secured = await this.users.secure(record.userId, record.email);
    securityEvent('account_secured', { userId: record.userId, ...secured, client });
  }
}
