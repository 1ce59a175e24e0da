/** A TOTP secret as the store keeps it: AES-256-GCM under the key named `keyId` (TotpSecrets), never in clear. */
export interface SealedSecret {
  keyId: string;
  /** base64url of iv (12 bytes), tag (16 bytes) and ciphertext, in that order. */
  sealed: string;
}

export interface TotpFactor {
  userId: string;
  secret: SealedSecret;
  /** False from enrolment until a first code confirms it: an unconfirmed secret asks nothing at sign-in. */
  confirmed: boolean;
  /** The newest time step a code was accepted for; that step and older ones are refused from then on. */
  lastStep: number | null;
  createdAt: Date;
}

/** A password sign-in waiting for its second step: what the pending cookie's token stands for. */
export interface PendingSignIn {
  userId: string;
  /** Wrong codes so far. */
  failures: number;
  expiresAt: Date;
}

/** A browser whose second step its owner asked us to remember (the device cookie's id). */
export interface RememberedDevice {
  deviceId: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Port: second factors (TOTP, recovery codes) and the sign-ins waiting for one. Every rule that
 * must hold across instances is one atomic write here: a time step used at most once per user,
 * a recovery code used at most once, a pending sign-in completed at most once and ended after
 * too many wrong codes. Deleting a user (UsersRepository.delete) removes what is stored here for them.
 */
export abstract class SecondFactorsRepository {
  /**
   * Stores an unconfirmed secret, replacing an unconfirmed one; false (and nothing changes) when
   * the user has a confirmed one.
   */
  abstract startTotp(userId: string, secret: SealedSecret, now: Date): Promise<boolean>;
  abstract findTotp(userId: string): Promise<TotpFactor | null>;
  /**
   * Confirms the user's unconfirmed secret with a code of `step` (recorded as used). False when
   * there is no unconfirmed secret (none, or confirmed already).
   */
  abstract confirmTotp(userId: string, step: number): Promise<boolean>;
  /**
   * Records `step` as used on the user's confirmed secret when it is newer than the last one
   * used: one atomic compare-and-set, so of concurrent uses of one step exactly one is true.
   */
  abstract useTotpStep(userId: string, step: number): Promise<boolean>;
  /** Stores the same secret sealed anew (under the current key), keeping everything else. */
  abstract resealTotp(userId: string, secret: SealedSecret): Promise<void>;
  /** Removes the user's secret, confirmed or not. False when there was none. */
  abstract removeTotp(userId: string): Promise<boolean>;

  /** Whether the user's TOTP is on, and how many recovery codes are left: one read, for GET /auth/me and every sign-in. */
  abstract summary(userId: string): Promise<{ totp: boolean; recoveryCodesLeft: number }>;

  /** Replaces every recovery code of the user with these (SHA-256 hashes); none removes them all. */
  abstract replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void>;
  /** Deletes the code if the user has it: true for exactly one of concurrent uses. */
  abstract useRecoveryCode(userId: string, codeHash: string): Promise<boolean>;
  abstract countRecoveryCodes(userId: string): Promise<number>;

  abstract startPending(tokenHash: string, pending: PendingSignIn): Promise<void>;
  /** The live pending sign-in for this token's hash, or null (unknown, completed, ended or expired). */
  abstract findPending(tokenHash: string, now: Date): Promise<PendingSignIn | null>;
  /**
   * Counts one wrong code against a live pending sign-in and ends it when the count reaches
   * `maxFailures`. Returns the count, or null when it was not live.
   */
  abstract failPending(tokenHash: string, maxFailures: number, now: Date): Promise<number | null>;
  /** Deletes and returns the live pending sign-in: of concurrent completions exactly one gets it. */
  abstract consumePending(tokenHash: string, now: Date): Promise<PendingSignIn | null>;

  /** Remembers (or remembers again, until the new expiry) a device that passed the second step. */
  abstract rememberDevice(userId: string, device: RememberedDevice): Promise<void>;
  /** Whether this device is remembered for this user and not expired. */
  abstract isRemembered(userId: string, deviceId: string, now: Date): Promise<boolean>;
  /** The user's remembered devices that have not expired, newest first. */
  abstract listRemembered(userId: string, now: Date): Promise<RememberedDevice[]>;
  /** Forgets every remembered device of the user (a factor added or removed, a password reset). */
  abstract forgetDevices(userId: string): Promise<void>;
}
