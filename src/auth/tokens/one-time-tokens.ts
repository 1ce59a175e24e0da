import { randomBytes } from 'node:crypto';
import { OneTimePurpose, OneTimeTokensRepository } from '../../users/one-time-tokens.repository';
import { hashRefreshToken } from './refresh-tokens';

/** 32 random bytes (256 bits), base64url without padding: 43 characters, safe in a URL as is. */
export const ONE_TIME_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * What the store keeps instead of the token: the refresh tokens' SHA-256, for the same reasons
 * (256 random bits leave nothing to slow down; lookups need a deterministic hash).
 */
export const hashOneTimeToken = hashRefreshToken;

/**
 * Mints a password-reset or e-mail-verification token for the user's `email`, stores only its
 * hash (replacing the user's earlier token of that purpose) and returns it, to be mailed once.
 */
export async function issueOneTimeToken(
  tokens: OneTimeTokensRepository,
  grant: { purpose: OneTimePurpose; userId: string; email: string; ttlSeconds: number },
  now = new Date(),
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const { purpose, userId, email, ttlSeconds } = grant;
  await tokens.issue({ tokenHash: hashOneTimeToken(token), purpose, userId, email, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) });
  return token;
}
