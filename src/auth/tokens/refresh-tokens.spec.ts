import { createSecretKey, randomBytes } from 'node:crypto';
import { REFRESH_TOKEN_LENGTH, hashRefreshToken, isRefreshTokenShape, mintRefreshToken, successorOf } from './refresh-tokens';

describe('refresh tokens', () => {
  const key = createSecretKey(randomBytes(32));

  it('mints 43 alphanumeric characters, different every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, mintRefreshToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) {
      expect(token).toHaveLength(REFRESH_TOKEN_LENGTH);
      expect(isRefreshTokenShape(token)).toBe(true);
    }
  });

  it('derives the same successor for the same token and key, of the same shape', () => {
    const token = mintRefreshToken();
    const successor = successorOf(token, key);
    expect(successorOf(token, key)).toBe(successor);
    expect(successor).not.toBe(token);
    expect(isRefreshTokenShape(successor)).toBe(true);
  });

  it('derives unrelated successors for other tokens and other keys', () => {
    const token = mintRefreshToken();
    expect(successorOf(mintRefreshToken(), key)).not.toBe(successorOf(token, key));
    expect(successorOf(token, createSecretKey(randomBytes(32)))).not.toBe(successorOf(token, key));
  });

  it('chains: the successor of a successor is new again', () => {
    const chain = [mintRefreshToken()];
    for (let i = 0; i < 50; i++) chain.push(successorOf(chain[i], key));
    expect(new Set(chain).size).toBe(51);
  });

  it('hashes with SHA-256 over every byte (unlike bcrypt, nothing past 72 is ignored)', () => {
    const long = 'a'.repeat(100);
    expect(hashRefreshToken(long)).not.toBe(hashRefreshToken(`${long.slice(0, 99)}b`));
    expect(hashRefreshToken('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('accepts only strings of exactly the minted shape', () => {
    for (const value of [undefined, null, 42, {}, ['x'], '', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}-`, `${'a'.repeat(42)}é`]) {
      expect(isRefreshTokenShape(value)).toBe(false);
    }
  });
});
