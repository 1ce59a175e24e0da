import { KeyObject, createHash, createHmac } from 'node:crypto';
import randToken from 'rand-token';

/** 43 characters from 62 give ~256 bits, the same as the SHA-256 that stores them. */
export const REFRESH_TOKEN_LENGTH = 43;
const REFRESH_TOKEN_SHAPE = /^[0-9A-Za-z]{43}$/;

const randomTokens = randToken.generator({ source: 'crypto' });

export function mintRefreshToken(): string {
  return randomTokens.generate(REFRESH_TOKEN_LENGTH);
}

/**
 * The token that replaces `token` at its rotation: HMAC-derived under a server key, so every
 * request that presents `token` inside the grace window gets the *same* successor without the
 * store ever holding a usable token. Unpredictable to anyone without the key.
 */
export function successorOf(token: string, key: KeyObject): string {
  let counter = 0;
  const hmacStream = (size: number): Buffer => {
    const bytes = createHmac('sha256', key).update(`${counter++}:${token}`).digest();
    return bytes.subarray(0, Math.min(size, bytes.length));
  };
  return randToken.generator({ source: hmacStream }).generate(REFRESH_TOKEN_LENGTH);
}

/**
 * What the store keeps instead of the token. SHA-256, not bcrypt: the token already carries
 * 256 random bits (nothing to brute-force), lookups need a deterministic hash, and bcrypt
 * would silently ignore bytes past 72.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function isRefreshTokenShape(value: unknown): value is string {
  return typeof value === 'string' && REFRESH_TOKEN_SHAPE.test(value);
}
