import { ForbiddenException, HttpStatus, Injectable } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { ClientInfo } from '../common/client';
import { RetryLaterException } from '../common/retry-later.exception';
import { securityEvent } from '../common/security-events';
import { AppConfig } from '../config/app-config';
import { PasswordCheck } from './password-check';
import { User } from './user';

export const REAUTH_REQUIRED =
  'This needs a recent sign-in: send currentPassword with this request, or POST /auth/reauth with your password and try again';

export const PASSWORD_REQUIRED = 'Changing a verified e-mail address needs currentPassword in this request (a recent sign-in is not enough)';

/** Who is trying a password besides the password itself: for the lockout and the log. */
export interface Attempt {
  /** The raw device cookie the browser sent, if any. */
  deviceToken: string | null;
  client: ClientInfo;
}

/**
 * Whether the password was proved in this session (auth_time) less than `maxAgeSeconds` ago.
 * auth_time is whole seconds, so a session stops being recent up to a second early, never late.
 */
export function isRecent(authTime: number | null, now: Date, maxAgeSeconds: number): boolean {
  return authTime !== null && now.getTime() / 1000 - authTime < maxAgeSeconds;
}

/**
 * "Recent sign-in" (sudo mode), decided here and nowhere else: dangerous actions need the
 * password proved in this session within REAUTH_MAX_AGE, or the current password in the same
 * request. Either proof of the password is the same counted check as a login.
 */
@Injectable()
export class RecentAuth {
  private readonly maxAgeSeconds: number;

  constructor(
    config: AppConfig,
    private readonly passwordCheck: PasswordCheck,
  ) {
    this.maxAgeSeconds = config.sessions.reauthMaxAgeSeconds;
  }

  /** Throws unless the caller's session is recent or `currentPassword` is the user's password. */
  async require(caller: Principal, user: User, currentPassword: string | undefined, attempt: Attempt, now = new Date()): Promise<void> {
    if (currentPassword !== undefined) return this.provePassword(user, currentPassword, attempt, 'currentPassword');
    if (!isRecent(caller.authTime, now, this.maxAgeSeconds)) throw new ForbiddenException(REAUTH_REQUIRED);
  }

  /**
   * The current password in this request, however recent the sign-in: for leaving a verified
   * address, which hands every future password reset to whoever holds the new one. A copied
   * cookie carries its owner's recent sign-in (a refresh keeps auth_time), so no recency window
   * tells the owner from a thief; the password is the one proof a stolen cookie does not carry.
   */
  async requirePassword(user: User, currentPassword: string | undefined, attempt: Attempt): Promise<void> {
    if (currentPassword === undefined) throw new ForbiddenException(PASSWORD_REQUIRED);
    return this.provePassword(user, currentPassword, attempt, 'currentPassword');
  }

  /** The user's password, proved now: 403 when wrong, 429 while the account is locked. `field` names it in the message. */
  async provePassword(user: User, password: string, attempt: Attempt, field: 'password' | 'currentPassword'): Promise<void> {
    const result = await this.passwordCheck.run({ username: user.username, password, hash: user.passwordHash, ...attempt });
    if (result.outcome === 'locked') {
      throw new RetryLaterException(
        HttpStatus.TOO_MANY_REQUESTS,
        'Too many wrong passwords for this account; wait and try again (see Retry-After)',
        result.retryAfterSeconds,
      );
    }
    if (result.outcome === 'mismatch') {
      securityEvent('password_check_failed', { userId: user.id, username: user.username, client: attempt.client });
      throw new ForbiddenException(`${field} is not correct`);
    }
  }
}
