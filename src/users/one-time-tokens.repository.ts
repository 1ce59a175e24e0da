/** What a one-time token proves: control of the address it was mailed to, for this purpose only. */
export type OneTimePurpose = 'password_reset' | 'email_verification';

export interface OneTimeToken {
  /** SHA-256 of the token (never the token itself). */
  tokenHash: string;
  purpose: OneTimePurpose;
  userId: string;
  /** The address the link was sent to: a verification counts only while the user still has it. */
  email: string;
  expiresAt: Date;
}

/**
 * Port: password-reset and e-mail-verification tokens. One live token per user and purpose: a
 * newer one replaces (retires) the older in the same write. Tokens are single use: `consume` is an
 * atomic compare-and-delete, so of concurrent confirmations exactly one gets the record.
 */
export abstract class OneTimeTokensRepository {
  abstract issue(token: OneTimeToken): Promise<void>;
  /** The live record for this hash and purpose, or null (unknown, retired, used or expired). Changes nothing. */
  abstract find(purpose: OneTimePurpose, tokenHash: string, now: Date): Promise<OneTimeToken | null>;
  /** Deletes and returns the live record, or null if another request used it first (or it expired). */
  abstract consume(purpose: OneTimePurpose, tokenHash: string, now: Date): Promise<OneTimeToken | null>;
  /** Retires every token of the user (account deleted). */
  abstract revokeAll(userId: string): Promise<void>;
}
