import { createHash, randomInt } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a code read from paper is not misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 12 characters of 5 bits: 60 bits a code, above the 50 bits asked of a one-time recovery secret. */
const CODE_LENGTH = 12;
export const RECOVERY_CODE_COUNT = 10;

/** xxxx-xxxx-xxxx, lower case, as shown once to the user. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
  });
}

/**
 * A typed code as its canonical form, or null when it cannot be one: case, spaces and dashes do
 * not matter, and the letters Crockford maps (o to 0, i and l to 1) are read as those digits.
 */
export function normalizeRecoveryCode(typed: string): string | null {
  const code = typed.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  return code.length === CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/**
 * What the store keeps: SHA-256 of the user id and the canonical code. 60 random bits need no
 * slow hash against guessing online (each guess is a counted sign-in attempt); the user id keeps
 * one table of hashes from serving every account.
 */
export function hashRecoveryCode(userId: string, canonical: string): string {
  return createHash('sha256').update(`${userId}\n${canonical}`).digest('base64url');
}
