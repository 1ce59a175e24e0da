import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal } from '../auth/principal';
import { securityEvent } from '../common/security-events';
import { SessionsService } from '../sessions/sessions.service';
import { DuplicateKeyError } from '../storage/storage.errors';
import { UpdateUserDto } from './dto/update-user.dto';
import { PasswordCheck } from './password-check';
import { PasswordOwner, PasswordPolicy } from './password-policy';
import { Passwords } from './passwords';
import { EmailVerification } from './email-verification';
import { Mailer } from '../mail/mailer';
import { passwordChangedMail } from '../mail/messages';
import { OneTimeTokensRepository } from './one-time-tokens.repository';
import { Attempt, RecentAuth } from './recent-auth';
import { PublicUser, User, isVerifiedAddressOf, toPublicUser } from './user';
import { normalizeUsername } from './username';
import { UsersRepository } from './users.repository';

export interface PublicUserPage {
  items: PublicUser[];
  total: number;
  page: number;
  limit: number;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly passwords: Passwords,
    private readonly passwordCheck: PasswordCheck,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly recentAuth: RecentAuth,
    private readonly sessions: SessionsService,
    private readonly emailVerification: EmailVerification,
    private readonly oneTimeTokens: OneTimeTokensRepository,
    private readonly mailer: Mailer,
  ) {}

  /**
   * A given address is stored unverified and gets a verification link (EmailVerification), or a
   * notice to its owner when another account has verified it: the answer is the same either way.
   */
  async create(input: { username: string; password: string; name?: string; email?: string }): Promise<User> {
    const username = normalizeUsername(input.username);
    const name = input.name ?? username;
    if (input.email !== undefined) this.mailer.requireAvailable();
    const passwordHash = await this.hashNewPassword(input.password, { username, name: input.name });
    let user: User;
    try {
      user = await this.repository.create({ id: randomUUID(), username, name, passwordHash, email: input.email ?? null, createdAt: new Date() });
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new ConflictException('That username is taken');
      throw error;
    }
    this.emailVerification.start(user);
    return user;
  }

  /**
   * A password reset's new hash (from hashNewPassword): stored, and every session of the user
   * ended. Returns how many sessions were ended.
   */
  async replacePassword(id: string, passwordHash: string): Promise<number> {
    const updated = await this.repository.update(id, { passwordHash, updatedAt: new Date() });
    if (!updated) throw new NotFoundException('No such user');
    return this.endSessions(id);
  }

  /**
   * Ends every session of the user but `keepSessionId`, and retires every password-reset link
   * mailed before: whoever the owner is shutting out (a new password, sign-out everywhere, a
   * reset, a deleted account) cannot come back through a link that is still on its way.
   * Returns how many sessions ended.
   */
  async endSessions(id: string, keepSessionId?: string): Promise<number> {
    await this.oneTimeTokens.revoke(id, ['password_reset']);
    return this.sessions.revokeAll(id, keepSessionId);
  }

  /**
   * "Not me", from the link mailed to an address the account left: `address` becomes the account's
   * verified address again (unless another account has verified it since), every session ends and
   * every reset or verification link is retired, so that only whoever reads `address` can set the
   * next password. Null for an account that no longer exists.
   */
  async secure(id: string, address: string): Promise<{ restoredAddress: boolean; endedSessions: number } | null> {
    const user = await this.repository.findById(id);
    if (!user) return null;
    let restoredAddress = false;
    if (!isVerifiedAddressOf(user, address)) {
      const now = new Date();
      try {
        await this.repository.changeEmail(id, address, now);
        restoredAddress = (await this.repository.markEmailVerified(id, address, now)) !== null;
      } catch (error) {
        // Another account verified the address meanwhile: it is theirs now, and stays so.
        if (!(error instanceof DuplicateKeyError)) throw error;
      }
    }
    await this.oneTimeTokens.revoke(id, ['email_verification']);
    return { restoredAddress, endedSessions: await this.endSessions(id) };
  }

  findByVerifiedEmail(email: string): Promise<User | null> {
    return this.repository.findByVerifiedEmail(email);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.repository.findByUsername(normalizeUsername(username));
  }

  /**
   * The user whose password this is, or why not. An unknown user costs the same bcrypt work as
   * a wrong password; a locked username (or device) costs none (see PasswordCheck).
   */
  async authenticate(
    username: string,
    password: string,
    attempt: Attempt,
  ): Promise<{ user: User } | { user: null; locked: boolean }> {
    const user = await this.repository.findByUsername(username);
    const { outcome } = await this.passwordCheck.run({ username, password, hash: user?.passwordHash, ...attempt });
    return outcome === 'match' && user ? { user } : { user: null, locked: outcome === 'locked' };
  }

  findById(id: string): Promise<User | null> {
    return this.repository.findById(id);
  }

  async get(id: string): Promise<User> {
    const user = await this.repository.findById(id);
    if (!user) throw new NotFoundException('No such user');
    return user;
  }

  async list(page: number, limit: number): Promise<PublicUserPage> {
    const { items, total } = await this.repository.list({ offset: (page - 1) * limit, limit });
    return { items: items.map(toPublicUser), total, page, limit };
  }

  /**
   * Name, password or e-mail address of one's own account. A new password or a new unverified
   * address needs a recent sign-in or the current password; leaving a verified address needs the
   * current password (RecentAuth). A new password ends every other session and is mailed to the
   * verified address. A new address is unverified and gets a verification link; the verified
   * address it replaces is told, with a way back (EmailVerification.tellPreviousAddress); every
   * reset link mailed before either change is retired.
   */
  async update(caller: Principal, id: string, changes: UpdateUserDto, attempt: Attempt): Promise<User> {
    const { client } = attempt;
    const user = await this.own(caller, id);
    if (changes.name === undefined && changes.password === undefined && changes.email === undefined) {
      throw new BadRequestException('Nothing to change: send name, password and/or email');
    }
    const newEmail = changes.email !== undefined && changes.email !== user.email ? changes.email : undefined;
    if (newEmail !== undefined) this.mailer.requireAvailable();
    let passwordHash: string | undefined;
    if (newEmail !== undefined && user.emailVerified) {
      await this.recentAuth.requirePassword(user, changes.currentPassword, attempt);
    } else if (changes.password !== undefined || newEmail !== undefined) {
      await this.recentAuth.require(caller, user, changes.currentPassword, attempt);
    }
    if (changes.password !== undefined) {
      // After the recent-sign-in check, so a caller who cannot change the password cannot probe the policy either.
      passwordHash = await this.hashNewPassword(changes.password, { username: user.username, name: changes.name ?? user.name });
    }
    let updated = await this.repository.update(id, { name: changes.name, passwordHash, updatedAt: new Date() });
    if (!updated) throw new NotFoundException('No such user');
    if (passwordHash) {
      const revokedSessions = await this.endSessions(id, caller.sessionId);
      securityEvent('password_changed', { userId: id, sessionId: caller.sessionId, revokedSessions, client });
      const verified = user.emailVerified ? user.email : null;
      if (verified !== null) this.mailer.later('password_changed', async () => passwordChangedMail(verified, 'changed'));
    }
    if (newEmail !== undefined) {
      updated = await this.repository.changeEmail(id, newEmail, new Date());
      if (!updated) throw new NotFoundException('No such user');
      await this.oneTimeTokens.revoke(id, ['password_reset', 'email_verification']);
      securityEvent('email_changed', { userId: id, sessionId: caller.sessionId, client });
      this.emailVerification.start(updated);
      if (user.emailVerified && user.email !== null) this.emailVerification.tellPreviousAddress(id, user.email);
    } else if (changes.email !== undefined && !user.emailVerified) {
      // The same, still unverified address again: a fresh link (the earlier one is retired).
      this.emailVerification.start(user);
    }
    return updated;
  }

  /** Deleting one's own account needs a recent sign-in or the current password (RecentAuth). */
  async delete(caller: Principal, id: string, currentPassword: string | undefined, attempt: Attempt): Promise<void> {
    const user = await this.own(caller, id);
    await this.recentAuth.require(caller, user, currentPassword, attempt);
    await this.endSessions(id);
    await this.oneTimeTokens.revoke(id);
    await this.repository.delete(id);
    securityEvent('account_deleted', { userId: id, sessionId: caller.sessionId, client: attempt.client });
  }

  /** POST /auth/reauth: the caller's own password, proved now as a counted check. */
  async provePassword(caller: Principal, password: string, attempt: Attempt): Promise<User> {
    const user = await this.get(caller.userId);
    await this.recentAuth.provePassword(user, password, attempt, 'password');
    return user;
  }

  /**
   * The one way a new password (signup, change, reset) becomes a hash: refused with a 400 that
   * says why when PasswordPolicy finds it already known, hashed otherwise.
   */
  async hashNewPassword(password: string, owner: PasswordOwner): Promise<string> {
    await this.passwordPolicy.check(password, owner);
    return this.passwords.hash(password);
  }

  private async own(caller: Principal, id: string): Promise<User> {
    if (caller.userId !== id) throw new ForbiddenException('You can only change your own account');
    return this.get(id);
  }
}
