import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes';

describe('recovery codes', () => {
  it('makes ten distinct codes of 60 bits, shown as xxxx-xxxx-xxxx', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
  });

  it('reads a typed code whatever its case, spaces and dashes, and Crockford’s look-alikes', () => {
    expect(normalizeRecoveryCode('ABCD-EFGH-JK01')).toBe('abcdefghjk01');
    expect(normalizeRecoveryCode(' abcd efgh jkOI ')).toBe('abcdefghjk01');
    expect(normalizeRecoveryCode('abcd-efgh-jkl0')).toBe('abcdefghjk10');
    expect(normalizeRecoveryCode('abcd-efgh-jk0')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-jk0u')).toBeNull();
    expect(normalizeRecoveryCode('')).toBeNull();
  });

  it('hashes per user: one code is a different hash for another account', () => {
    expect(hashRecoveryCode('a', 'abcdefghjk01')).toBe(hashRecoveryCode('a', 'abcdefghjk01'));
    expect(hashRecoveryCode('a', 'abcdefghjk01')).not.toBe(hashRecoveryCode('b', 'abcdefghjk01'));
    expect(hashRecoveryCode('a', 'abcdefghjk01')).not.toContain('abcdefghjk01');
  });
});
