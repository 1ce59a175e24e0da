import { JwtService } from '@nestjs/jwt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, loadAppConfig } from '../../config/app-config';
import { AccessTokens, claimsOf } from './access-tokens';

const dataDir = mkdtempSync(join(tmpdir(), 'nca-tokens-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The same JwtService set-up as AuthModule's, over a key ring from the environment given. */
function tokensWith(env: Record<string, string>): AccessTokens {
  const config: AppConfig = loadAppConfig({ DATA_DIR: dataDir, REFRESH_TOKEN_SECRET: 'r'.repeat(32), ACCESS_TTL: '15m', ...env });
  const jwt = new JwtService({
    signOptions: AccessTokens.signOptions(config),
    verifyOptions: AccessTokens.verifyOptions(config),
  });
  return new AccessTokens(jwt, config);
}

const A = `a:${'a'.repeat(32)}`;
const B = `b:${'b'.repeat(32)}`;
const claims = { sub: 'user-1', sid: 'session-1', authTime: 1_796_000_000 };

describe('AccessTokens with an injected clock', () => {
  const signedAt = new Date();
  const later = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);
  const underA = tokensWith({ JWT_ACCESS_KEYS: A }).sign(claims);

  it('verifies a token under a key in use until its exp, then calls it expired', () => {
    const tokens = tokensWith({ JWT_ACCESS_KEYS: A });
    expect(tokens.verify(underA, 'access', later(60))).toEqual({ claims, exp: expect.any(Number) });
    expect(tokens.verify(underA, 'access', later(15 * 60 + 1))).toEqual({ refused: 'expired' });
    expect(tokens.verify(underA, 'refresh', later(30 * 24 * 3600))).toEqual({ claims, exp: expect.any(Number) });
  });

  it('takes a retired key on refresh only, expiry ignored; on access it reads as expired', () => {
    const tokens = tokensWith({ JWT_ACCESS_KEYS: B, JWT_RETIRED_KEYS: A });
    expect(tokens.verify(underA, 'access', later(1))).toEqual({ refused: 'expired' });
    expect(tokens.verify(underA, 'refresh', later(7 * 24 * 3600))).toEqual({ claims, exp: expect.any(Number) });
    expect(tokens.verify(tokens.sign(claims), 'access', later(1))).toEqual({ claims, exp: expect.any(Number) });
  });

  it('refuses a kid it does not hold, in use or retired, for every use', () => {
    const tokens = tokensWith({ JWT_ACCESS_KEYS: B });
    expect(tokens.verify(underA, 'access', later(1))).toEqual({ refused: 'invalid' });
    expect(tokens.verify(underA, 'refresh', later(1))).toEqual({ refused: 'invalid' });
  });

  it('refuses a retired kid whose secret changed (the signature no longer verifies)', () => {
    const tokens = tokensWith({ JWT_ACCESS_KEYS: B, JWT_RETIRED_KEYS: `a:${'z'.repeat(32)}` });
    expect(tokens.verify(underA, 'refresh', later(1))).toEqual({ refused: 'invalid' });
    expect(tokens.verify(underA, 'access', later(1))).toEqual({ refused: 'invalid' });
  });

  it('signs auth_time only when known, and keeps a null one null', () => {
    const tokens = tokensWith({ JWT_ACCESS_KEYS: A });
    const unknown = tokens.sign({ ...claims, authTime: null });
    expect(JSON.parse(Buffer.from(unknown.split('.')[1], 'base64url').toString())).not.toHaveProperty('auth_time');
    expect(tokens.verify(unknown, 'access', later(1))).toEqual({ claims: { ...claims, authTime: null }, exp: expect.any(Number) });
  });
});

describe('claimsOf (a verified payload is still only trusted in the shape we sign)', () => {
  const good = { sub: 'u', sid: 's', iat: 1_796_000_000, exp: 1_796_000_900, iss: 'i', aud: 'a', auth_time: 1_796_000_000 };

  it('keeps sub, sid and auth_time, and a missing auth_time as null', () => {
    expect(claimsOf(good)).toEqual({ claims: { sub: 'u', sid: 's', authTime: 1_796_000_000 }, exp: 1_796_000_900 });
    const { auth_time: _, ...withoutAuthTime } = good;
    expect(claimsOf(withoutAuthTime)?.claims.authTime).toBeNull();
  });

  it.each([
    ['auth_time after iat', { auth_time: good.iat + 1 }],
    ['auth_time as a fraction', { auth_time: good.iat - 0.5 }],
    ['auth_time negative', { auth_time: -1 }],
    ['auth_time null', { auth_time: null }],
    ['auth_time a string', { auth_time: String(good.iat) }],
    ['sub not a string', { sub: 7 }],
    ['sid missing', { sid: undefined }],
    ['an audience list', { aud: ['a', 'evil'] }],
    ['exp a string', { exp: 'later' }],
  ])('refuses %s', (_case, change) => {
    expect(claimsOf({ ...good, ...change })).toBeNull();
  });
});
