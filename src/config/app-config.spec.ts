import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { loadAppConfig } from './app-config';
import { EnvSchema } from './env.schema';
import { parseDurationSeconds } from './duration';

describe('loadAppConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nca-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const strong = 'x'.repeat(32);

  it('has the designed defaults', () => {
    const config = loadAppConfig({ DATA_DIR: dataDir });
    expect(config.storage.kind).toBe('sqlite');
    expect(config.cookie).toEqual({ name: 'auth-cookie', sameSite: 'lax', secure: false, layout: 'single' });
    expect(config.csrf.mode).toBe('origin');
    expect(config.tokens.accessTtlSeconds).toBe(900);
    expect(config.sessions).toEqual({ refreshTtlSeconds: 604800, maxAgeSeconds: 2592000, reuseGraceSeconds: 10, maxPerUser: 10, reauthMaxAgeSeconds: 600, livenessCacheSeconds: 0 });
    expect(config.rateLimit).toEqual({ windowMs: 60000, credentials: 20, refresh: 60, recovery: 10, ipv6Prefix: 64 });
    expect(config.mail).toMatchObject({ publicUrl: 'http://localhost:3000', transport: 'outbox', timeoutMs: 10000, resetTtlSeconds: 1800, verificationTtlSeconds: 86400 });
    expect(config.passwords).toMatchObject({ pwnedUrl: undefined, pwnedTimeoutMs: 1500 });
  });

  it('picks the HTTP platform, Express unless HTTP_PLATFORM says fastify, and names a misspelt one', () => {
    expect(loadAppConfig({ DATA_DIR: dataDir }).http.platform).toBe('express');
    expect(loadAppConfig({ DATA_DIR: dataDir, HTTP_PLATFORM: 'fastify' }).http.platform).toBe('fastify');
    expect(() => loadAppConfig({ DATA_DIR: dataDir, HTTP_PLATFORM: 'fastfy' })).toThrow(/HTTP_PLATFORM must be one of the following values: express, fastify/);
  });

  it('reads the Pwned Passwords settings, and refuses a URL that is not http(s)', () => {
    const config = loadAppConfig({ DATA_DIR: dataDir, PWNED_PASSWORDS_URL: 'https://api.pwnedpasswords.com/', PWNED_PASSWORDS_TIMEOUT_MS: '800' });
    expect(config.passwords).toMatchObject({ pwnedUrl: 'https://api.pwnedpasswords.com', pwnedTimeoutMs: 800 });
    expect(() => loadAppConfig({ DATA_DIR: dataDir, PWNED_PASSWORDS_URL: 'api.pwnedpasswords.com' })).toThrow(/PWNED_PASSWORDS_URL must be an http\(s\) URL/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, PWNED_PASSWORDS_TIMEOUT_MS: '60000' })).toThrow(/PWNED_PASSWORDS_TIMEOUT_MS must not be greater than 10000/);
  });

  it('chooses MongoDB when MONGODB_URI is set, and Secure cookies in production', () => {
    const config = loadAppConfig({
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db:27017/auth',
      JWT_ACCESS_SECRET: strong,
      REFRESH_TOKEN_SECRET: strong,
    });
    expect(config.storage.kind).toBe('mongo');
    expect(config.cookie.secure).toBe(true);
  });

  it('builds links from PUBLIC_URL (trailing slash dropped), and leaves mail unset up in production without SMTP_URL or PUBLIC_URL', () => {
    const mail = loadAppConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://auth.example.com/', SMTP_URL: 'smtp://mx.example.com:587' }).mail;
    expect(mail).toMatchObject({ publicUrl: 'https://auth.example.com', transport: { smtpUrl: 'smtp://mx.example.com:587' } });
    const production = loadAppConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', JWT_ACCESS_SECRET: strong, REFRESH_TOKEN_SECRET: strong }).mail;
    expect(production).toMatchObject({ publicUrl: null, transport: null });
    expect(() => loadAppConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://a.example?x=1' })).toThrow(/PUBLIC_URL must be an http\(s\) URL/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'javascript:alert(1)' })).toThrow(/PUBLIC_URL/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, SMTP_URL: 'http://mx.example.com' })).toThrow(/SMTP_URL must start with smtp/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, MAIL_FROM: 'a@b.c\r\nBcc: x@y.z' })).toThrow(/MAIL_FROM must be one line/);
  });

  it('refuses to start in production without secrets, naming each variable', () => {
    expect(() => loadAppConfig({ DATA_DIR: dataDir, NODE_ENV: 'production' })).toThrow(
      /JWT_ACCESS_SECRET \(or JWT_ACCESS_KEYS\) is required when NODE_ENV=production[\s\S]*REFRESH_TOKEN_SECRET is required/,
    );
  });

  it('refuses weak secrets anywhere', () => {
    expect(() => loadAppConfig({ DATA_DIR: dataDir, JWT_ACCESS_SECRET: 'short', REFRESH_TOKEN_SECRET: strong })).toThrow(
      /JWT_ACCESS_SECRET \(or JWT_ACCESS_KEYS\) is too short/,
    );
  });

  it('generates development secrets once, private to the owner, and reuses them', () => {
    loadAppConfig({ DATA_DIR: dataDir });
    const file = join(dataDir, 'secrets.json');
    const first = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o077).toBe(0);
    loadAppConfig({ DATA_DIR: dataDir });
    expect(readFileSync(file, 'utf8')).toBe(first);
  });

  it('reads JWT_ACCESS_KEYS as kid:secret pairs, signing key first, instead of JWT_ACCESS_SECRET', () => {
    const config = loadAppConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', JWT_ACCESS_KEYS: `b:${strong}, a:${'y'.repeat(32)}`, REFRESH_TOKEN_SECRET: strong });
    expect(config.tokens.accessKeys.map((k) => k.kid)).toEqual(['b', 'a']);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, JWT_ACCESS_KEYS: `a:${strong},a:${strong}` })).toThrow(/same kid twice/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, JWT_ACCESS_KEYS: 'a:short' })).toThrow(/entry 1 \(a\) needs a secret of at least 32/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, JWT_ACCESS_KEYS: strong })).toThrow(/entry 1 needs a kid/);
  });

  it('reads JWT_RETIRED_KEYS with the same syntax, and refuses a kid both in use and retired', () => {
    const config = loadAppConfig({ DATA_DIR: dataDir, JWT_ACCESS_KEYS: `new:${strong}`, JWT_RETIRED_KEYS: `old:${'y'.repeat(32)}` });
    expect(config.tokens.retiredKeys.map((k) => k.kid)).toEqual(['old']);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, JWT_ACCESS_KEYS: `a:${strong}`, JWT_RETIRED_KEYS: `a:${strong}` })).toThrow(
      /JWT_RETIRED_KEYS names a, which JWT_ACCESS_KEYS still holds/,
    );
    expect(() => loadAppConfig({ DATA_DIR: dataDir, JWT_RETIRED_KEYS: 'old:short' })).toThrow(/JWT_RETIRED_KEYS entry 1 \(old\) needs a secret/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, JWT_RETIRED_KEYS: strong })).toThrow(/JWT_RETIRED_KEYS entry 1 needs a kid/);
  });

  it('refuses a malformed REAUTH_MAX_AGE, naming it', () => {
    expect(() => loadAppConfig({ DATA_DIR: dataDir, REAUTH_MAX_AGE: 'ten minutes' })).toThrow(/REAUTH_MAX_AGE must be a duration/);
    expect(loadAppConfig({ DATA_DIR: dataDir, REAUTH_MAX_AGE: '5m' }).sessions.reauthMaxAgeSeconds).toBe(300);
  });

  it('gives a single JWT_ACCESS_SECRET a stable derived kid', () => {
    const env = { DATA_DIR: dataDir, JWT_ACCESS_SECRET: strong, REFRESH_TOKEN_SECRET: strong };
    const [first] = loadAppConfig(env).tokens.accessKeys;
    expect(first.kid).toMatch(/^k-[\w-]{8}$/);
    expect(loadAppConfig(env).tokens.accessKeys[0].kid).toBe(first.kid);
  });

  it('explains bad values', () => {
    expect(() => loadAppConfig({ DATA_DIR: dataDir, PORT: 'eighty', REFRESH_TTL: 'a week' })).toThrow(
      /PORT must be an integer number[\s\S]*REFRESH_TTL must be a duration/,
    );
    expect(() => loadAppConfig({ DATA_DIR: dataDir, COOKIE_SAMESITE: 'none' })).toThrow(/COOKIE_SAMESITE=none needs COOKIE_SECURE=true/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, COOKIE_LAYOUT: 'two' })).toThrow(/COOKIE_LAYOUT must be one of/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, CSRF_MODE: 'token' })).toThrow(/CSRF_MODE must be one of/);
  });

  it('makes the split layout Secure everywhere and refuses the settings it cannot honour', () => {
    expect(loadAppConfig({ DATA_DIR: dataDir, COOKIE_LAYOUT: 'split' }).cookie).toMatchObject({ layout: 'split', secure: true });
    expect(() => loadAppConfig({ DATA_DIR: dataDir, COOKIE_LAYOUT: 'split', COOKIE_SECURE: 'false' })).toThrow(/__Host-\/__Secure-.*only accept with Secure/);
    expect(() => loadAppConfig({ DATA_DIR: dataDir, COOKIE_LAYOUT: 'split', COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'true' })).toThrow(
      /refresh cookie SameSite=Strict.*COOKIE_LAYOUT=single/,
    );
  });

  it('derives the double-submit key from REFRESH_TOKEN_SECRET: stable, and not the secret itself', () => {
    const env = { DATA_DIR: dataDir, JWT_ACCESS_SECRET: strong, REFRESH_TOKEN_SECRET: strong, CSRF_MODE: 'double-submit' };
    const { csrf } = loadAppConfig(env);
    expect(csrf.mode).toBe('double-submit');
    expect(csrf.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(csrf.secret).not.toContain(Buffer.from(strong).toString('hex'));
    expect(loadAppConfig(env).csrf.secret).toBe(csrf.secret);
    expect(loadAppConfig({ ...env, REFRESH_TOKEN_SECRET: 'z'.repeat(40) }).csrf.secret).not.toBe(csrf.secret);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['900', 900],
    ['10s', 10],
    ['15m', 900],
    ['2h', 7200],
    ['7d', 604800],
  ])('reads %s', (input, seconds) => expect(parseDurationSeconds(input)).toBe(seconds));

  it.each(['', 'm', '1w', '-5s', '1.5h'])('refuses %p', (input) => expect(parseDurationSeconds(input)).toBeNull());
});

describe('.env.example', () => {
  it('lists exactly the variables the schema reads', () => {
    const documented = [...readFileSync(join(process.cwd(), '.env.example'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const read = getMetadataStorage().getTargetValidationMetadatas(EnvSchema, '', true, false).map((m) => m.propertyName);
    expect([...new Set(documented)].sort()).toEqual([...new Set(read)].sort());
  });
});
