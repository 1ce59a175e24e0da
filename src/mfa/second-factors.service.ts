import { BadRequestException, ConflictException, HttpStatus, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { ClientInfo } from '../common/client';
import { RetryLaterException } from '../common/retry-later.exception';
import { securityEvent } from '../common/security-events';
import { AppConfig } from '../config/app-config';
import { Mailer } from '../mail/mailer';
import { factorsChangedMail } from '../mail/messages';
import { LoginLockout } from '../throttling/login-lockout';
import { Attempt, RecentAuth } from '../users/recent-auth';
import { User } from '../users/user';
import { UsersService } from '../users/users.service';
import { RECOVERY_CODE_COUNT, hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes';
import { RememberedDevice, SecondFactorsRepository } from './second-factors.repository';
import { base32Of, newTotpSecret, stepOfCode, totpUri } from './totp';
import { TotpSecrets } from './totp-secrets';

/** The second steps a sign-in can offer, as `POST /auth/login` names them. */
export type SecondStepMethod = 'totp' | 'recovery-code';

/** What the account page and GET /auth/me show of a user's second factors. */
export interface SecondFactorStatus {
  totp: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
}

/** Who is trying a code besides the code: the client, and the device cookie's id for a username (LoginLockout). */
export interface SecondStepAttempt {
  client: ClientInfo;
  deviceIdFor(username: string): string | null;
}

/** A second step as sent: a code from the authenticator app, or one of the recovery codes. */
export type SecondStepProof = { code: string } | { recoveryCode: string };

export const WRONG_CODE = 'That code is not right: type the 6-digit code your authenticator app shows now, or use a recovery code';
export const WRONG_SETUP_CODE = 'That code is not right: type the 6-digit code your authenticator app shows now';
export const NOTHING_PENDING = 'No sign-in is waiting for a second step (it was completed, it expired, or too many codes were wrong): sign in with your password again';

/**
 * Second factors: TOTP (RFC 6238) with recovery codes, and the second step of a password
 * sign-in. Enrolment and removal need a recent sign-in (RecentAuth) and are mailed to the
 * verified address. A code proves the second step only through the store's atomic use of its
 * time step (or of the recovery code), and every code is counted like a password: the subject's
 * slot in LoginLockout is taken before the check and given back only when it was right.
 */
@Injectable()
export class SecondFactors {
  constructor(
    private readonly repository: SecondFactorsRepository,
    private readonly secrets: TotpSecrets,
    private readonly users: UsersService,
    private readonly recentAuth: RecentAuth,
    private readonly lockout: LoginLockout,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  /** POST /auth/mfa/totp: a new secret, not active until a code confirms it. */
  async startTotp(caller: Principal, currentPassword: string | undefined, attempt: Attempt, now = new Date()): Promise<{ secret: string; uri: string }> {
    const user = await this.users.get(caller.userId);
    await this.recentAuth.require(caller, user, currentPassword, attempt, now);
    const secret = newTotpSecret();
    if (!(await this.repository.startTotp(user.id, this.secrets.seal(secret, user.id), now))) {
      throw new ConflictException('An authenticator app is already on for this account: turn it off first (DELETE /auth/mfa/totp)');
    }
    return { secret: base32Of(secret), uri: totpUri(secret, this.config.mfa.appName, user.username) };
  }

  /**
   * The set-up in progress (an unconfirmed secret) for its owner's page to show again, as QR code
   * and key, until a code confirms it; null once it is on, or when none was started.
   */
  async enrolment(caller: Principal): Promise<{ secret: string; uri: string } | null> {
    const factor = await this.repository.findTotp(caller.userId);
    const secret = factor && !factor.confirmed ? this.secrets.open(factor.secret, caller.userId) : null;
    if (!secret) return null;
    const user = await this.users.get(caller.userId);
    return { secret: base32Of(secret), uri: totpUri(secret, this.config.mfa.appName, user.username) };
  }

  /** POST /auth/mfa/totp/confirm: a code from the app turns TOTP on; the recovery codes are shown this once. */
  async confirmTotp(caller: Principal, code: string, client: ClientInfo, now = new Date()): Promise<{ recoveryCodes: string[] }> {
    const factor = await this.repository.findTotp(caller.userId);
    if (!factor || factor.confirmed) throw new BadRequestException('No authenticator app is being set up: start with POST /auth/mfa/totp');
    const secret = this.secrets.open(factor.secret, caller.userId);
    const step = secret && stepOfCode(secret, code, now);
    if (step === null || !(await this.repository.confirmTotp(caller.userId, step))) throw new BadRequestException(WRONG_SETUP_CODE);
    const recoveryCodes = await this.replaceCodes(caller.userId);
    await this.repository.forgetDevices(caller.userId);
    securityEvent('mfa_enabled', { userId: caller.userId, sessionId: caller.sessionId, method: 'totp', client });
    this.tellOwner(await this.users.get(caller.userId), 'An authenticator app was turned on as a second step for signing in.');
    return { recoveryCodes };
  }

  /** DELETE /auth/mfa/totp: with no factor left, the recovery codes go too. */
  async removeTotp(caller: Principal, currentPassword: string | undefined, attempt: Attempt): Promise<void> {
    const user = await this.users.get(caller.userId);
    await this.recentAuth.require(caller, user, currentPassword, attempt);
    if (!(await this.repository.removeTotp(user.id))) throw new BadRequestException('No authenticator app is on for this account');
    await this.repository.replaceRecoveryCodes(user.id, []);
    await this.repository.forgetDevices(user.id);
    securityEvent('mfa_disabled', { userId: user.id, sessionId: caller.sessionId, method: 'totp', client: attempt.client });
    this.tellOwner(user, 'The authenticator app was turned off: signing in needs only the password now.');
  }

  /** POST /auth/mfa/recovery-codes: ten new codes; the old ones stop working. */
  async newRecoveryCodes(caller: Principal, currentPassword: string | undefined, attempt: Attempt): Promise<{ recoveryCodes: string[] }> {
    const user = await this.users.get(caller.userId);
    await this.recentAuth.require(caller, user, currentPassword, attempt);
    if (!(await this.status(user.id)).totp) throw new BadRequestException('Recovery codes back up a second factor: turn one on first (POST /auth/mfa/totp)');
    const recoveryCodes = await this.replaceCodes(user.id);
    securityEvent('recovery_codes_replaced', { userId: user.id, sessionId: caller.sessionId, client: attempt.client });
    this.tellOwner(user, 'New recovery codes were made; the earlier ones no longer work.');
    return { recoveryCodes };
  }

  async status(userId: string): Promise<SecondFactorStatus> {
    return { ...(await this.repository.summary(userId)), passkeys: 0 };
  }

  /** The second steps this user's sign-in needs, or null when the password alone completes it. */
  async secondStepFor(userId: string): Promise<SecondStepMethod[] | null> {
    const { totp, recoveryCodesLeft } = await this.status(userId);
    if (!totp) return null;
    return recoveryCodesLeft > 0 ? ['totp', 'recovery-code'] : ['totp'];
  }

  /**
   * Whether this browser skips the second step: its device cookie (`deviceId`, already checked
   * against the username) was remembered for this user at a second step and has not expired.
   */
  async remembers(userId: string, deviceId: string | null, now = new Date()): Promise<boolean> {
    return deviceId !== null && this.config.mfa.rememberDeviceSeconds > 0 && this.repository.isRemembered(userId, deviceId, now);
  }

  /** "Remember this device" at a second step: this browser skips it for MFA_REMEMBER_DEVICE (when that is not 0). */
  async rememberDevice(userId: string, deviceId: string, now = new Date()): Promise<void> {
    const seconds = this.config.mfa.rememberDeviceSeconds;
    if (seconds > 0) await this.repository.rememberDevice(userId, { deviceId, createdAt: now, expiresAt: new Date(now.getTime() + seconds * 1000) });
  }

  rememberedDevices(userId: string, now = new Date()): Promise<RememberedDevice[]> {
    return this.repository.listRemembered(userId, now);
  }

  /** Every remembered browser asks for the second step again: a factor changed, a password reset, or the owner said so. */
  forgetDevices(userId: string): Promise<void> {
    return this.repository.forgetDevices(userId);
  }

  /** A password sign-in waiting for its second step: the pending cookie's token (only its hash is stored). */
  async startPending(userId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.config.mfa.pendingTtlSeconds * 1000);
    await this.repository.startPending(hashOf(token), { userId, failures: 0, expiresAt });
    return { token, expiresAt };
  }

  /**
   * POST /auth/login/mfa: the user whose pending sign-in this token is, once a code proves the
   * second step. The pending sign-in is used up on success and ended after MFA's failure limit;
   * each code is a counted check on the user's lockout subject (429 while locked).
   */
  async completeSecondStep(token: string | null, proof: SecondStepProof, attempt: SecondStepAttempt, now = new Date()): Promise<{ user: User; method: SecondStepMethod }> {
    const tokenHash = token === null ? null : hashOf(token);
    const pending = tokenHash === null ? null : await this.repository.findPending(tokenHash, now);
    const user = pending && (await this.users.findById(pending.userId));
    if (!pending || !user || tokenHash === null) throw new SecondStepRefused(NOTHING_PENDING, true);
    const method: SecondStepMethod = 'code' in proof ? 'totp' : 'recovery-code';
    const subject = { username: user.username, deviceId: attempt.deviceIdFor(user.username) };
    const checked = await this.lockout.counted(subject, attempt.client, () => this.proves(user.id, proof, now));
    if (checked.outcome === 'locked') {
      throw new RetryLaterException(HttpStatus.TOO_MANY_REQUESTS, 'Too many wrong passwords or codes for this account; wait and try again (see Retry-After)', checked.retryAfterSeconds);
    }
    if (checked.outcome === 'mismatch') {
      const failures = await this.repository.failPending(tokenHash, this.config.mfa.maxCodeFailures, now);
      securityEvent('mfa_failed', { userId: user.id, method, failures, client: attempt.client }, 'warn');
      throw new SecondStepRefused(WRONG_CODE, failures === null || failures >= this.config.mfa.maxCodeFailures);
    }
    if (!(await this.repository.consumePending(tokenHash, now))) throw new SecondStepRefused(NOTHING_PENDING, true);
    if (method === 'recovery-code') {
      securityEvent('recovery_code_used', { userId: user.id, client: attempt.client });
      this.tellOwner(user, 'A recovery code was used to sign in. If that was not you, reset your password and make new recovery codes.');
    }
    return { user, method };
  }

  private async proves(userId: string, proof: SecondStepProof, now: Date): Promise<boolean> {
    if ('recoveryCode' in proof) {
      const canonical = normalizeRecoveryCode(proof.recoveryCode);
      return canonical !== null && this.repository.useRecoveryCode(userId, hashRecoveryCode(userId, canonical));
    }
    const factor = await this.repository.findTotp(userId);
    const secret = factor?.confirmed ? this.secrets.open(factor.secret, userId) : null;
    const step = secret && stepOfCode(secret, proof.code, now);
    if (step === null || !(await this.repository.useTotpStep(userId, step))) return false;
    // Key rotation: a secret sealed under an older key moves to the current one as it is used.
    if (this.secrets.isStale(factor!.secret)) await this.repository.resealTotp(userId, this.secrets.seal(secret!, userId));
    return true;
  }

  private async replaceCodes(userId: string): Promise<string[]> {
    const codes = newRecoveryCodes(RECOVERY_CODE_COUNT);
    await this.repository.replaceRecoveryCodes(userId, codes.map((code) => hashRecoveryCode(userId, normalizeRecoveryCode(code)!)));
    return codes;
  }

  /** Every change of factors, and every recovery code used, is mailed to the verified address. */
  private tellOwner(user: User, what: string): void {
    const to = user.emailVerified ? user.email : null;
    if (to) this.mailer.later('factors_changed', async () => factorsChangedMail(to, what));
  }
}

/** A refused second step: 401 with `message`; `ended` when the pending sign-in is gone (the cookie is cleared). */
export class SecondStepRefused extends Error {
  constructor(
    message: string,
    readonly ended: boolean,
  ) {
    super(message);
  }
}

/** The pending cookie's token as the store keeps it: SHA-256 (256 random bits need nothing slower). */
function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

