/**
 * What a one-time token proves: control of the address it was mailed to, for this purpose only.
 * `secure_account` is the "not you?" link mailed to an address the account is leaving.
 */
export type OneTimePurpose = 'password_reset' | 'email_verification' | 'secure_account';

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
 * Port: one-time tokens. One live token per user, purpose and address (compared case-insensitively,
 * as emailKey does): a newer one for the same address replaces (retires) the older in the same
 * write, while a link mailed to another address lives on (an owner's "not you?" link must survive
 * the next change of address). Tokens are single use: `consume` is an atomic compare-and-delete,
 * so of concurrent confirmations exactly one gets the record.
 */
export abstract class OneTimeTokensRepository {
  abstract issue(token: OneTimeToken): Promise<void>;
  /** The live record for this hash and purpose, or null (unknown, retired, used or expired). Changes nothing. */
  abstract find(purpose: OneTimePurpose, tokenHash: string, now: Date): Promise<OneTimeToken | null>;
  /** Deletes and returns the live record, or null if another request used it first (or it expired). */
  abstract consume(purpose: OneTimePurpose, tokenHash: string, now: Date): Promise<OneTimeToken | null>;
  /** Retires the user's tokens of these purposes, or every token of the user when none are named (account deleted). */
  abstract revoke(userId: string, purposes?: OneTimePurpose[]): Promise<void>;
}
