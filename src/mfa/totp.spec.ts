import { base32Of, codeAt, newTotpSecret, stepOfCode, totpUri } from './totp';

/** RFC 6238 appendix B's SHA-1 secret; its 8-digit codes end in these 6 digits. */
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP (RFC 6238)', () => {
  it('computes the RFC 6238 test vectors (6-digit tails)', () => {
    expect(codeAt(RFC_SECRET, new Date(59_000))).toBe('287082');
    expect(codeAt(RFC_SECRET, new Date(1_111_111_109_000))).toBe('081804');
    expect(codeAt(RFC_SECRET, new Date(1_234_567_890_000))).toBe('005924');
  });

  it('names the step of a code within one step either side, and no other', () => {
    const now = new Date(1_234_567_890_000);
    const step = Math.floor(now.getTime() / 30_000);
    const at = (steps: number) => new Date(now.getTime() + steps * 30_000);
    expect(stepOfCode(RFC_SECRET, codeAt(RFC_SECRET, now), now)).toBe(step);
    expect(stepOfCode(RFC_SECRET, codeAt(RFC_SECRET, at(-1)), now)).toBe(step - 1);
    expect(stepOfCode(RFC_SECRET, codeAt(RFC_SECRET, at(1)), now)).toBe(step + 1);
    expect(stepOfCode(RFC_SECRET, codeAt(RFC_SECRET, at(-2)), now)).toBeNull();
    expect(stepOfCode(RFC_SECRET, codeAt(RFC_SECRET, at(2)), now)).toBeNull();
    expect(stepOfCode(RFC_SECRET, '12345', now)).toBeNull();
    expect(stepOfCode(RFC_SECRET, '1234567', now)).toBeNull();
    expect(stepOfCode(RFC_SECRET, 'abcdef', now)).toBeNull();
  });

  it('writes the URI every authenticator app reads, with a fresh 160-bit secret', () => {
    const secret = newTotpSecret();
    expect(secret).toHaveLength(20);
    const uri = new URL(totpUri(secret, 'Nest Cookie Auth', 'ada'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Nest Cookie Auth:ada');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ issuer: 'Nest Cookie Auth', secret: base32Of(secret), algorithm: 'SHA1', digits: '6', period: '30' });
    expect(base32Of(secret)).toMatch(/^[A-Z2-7]{32}$/);
  });
});
