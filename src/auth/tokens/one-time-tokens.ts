import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes (256 bits), base64url without padding: 43 characters, safe in a URL as is. */
export const ONE_TIME_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A password-reset or e-mail-verification token. Mailed once; the store keeps only its hash. */
export function mintOneTimeToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256, as for refresh tokens and for the same reasons: the token already carries 256 random
 * bits, so there is nothing to slow down, and lookups need a deterministic hash.
 */
export function hashOneTimeToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
