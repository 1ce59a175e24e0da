import { KeyObject, createHash, createSecretKey, hkdfSync } from 'node:crypto';
import { resolve } from 'node:path';
import { parseDurationSeconds } from './duration';
import { EnvSchema, validateEnv } from './env.schema';
import { resolveSecrets } from './secrets';
import { TrustProxy, parseTrustProxy } from './trust-proxy';

export type SameSite = 'lax' | 'strict' | 'none';
export type CookieLayout = 'single' | 'split';
export type CsrfMode = 'origin' | 'double-submit';

/**
 * The typed configuration, built and validated once at boot. It is also the DI token:
 * inject `AppConfig` rather than reading the environment.
 */
export abstract class AppConfig {
  abstract readonly production: boolean;
  abstract readonly http: {
    readonly port: number;
    readonly host: string;
    /** HTTP_PLATFORM: which server runs the app (src/http/). */
    readonly platform: 'express' | 'fastify';
    readonly bodyLimit: string;
    /** Express's "trust proxy": off, a hop count, or addresses/CIDRs/presets. Never `true`. */
    readonly trustProxy: TrustProxy;
    /** Whether /docs and /docs-json are served. */
    readonly openApiDocs: boolean;
    /** Origins besides the service's own that may make credentialed, state-changing calls. */
    readonly allowedOrigins: readonly string[];
  };
  abstract readonly storage: {
    readonly kind: 'sqlite' | 'mongo';
    readonly dataDir: string;
    readonly sqliteFile: string;
    readonly mongoUri?: string;
  };
  abstract readonly cookie: {
    readonly name: string;
    readonly sameSite: SameSite;
    readonly secure: boolean;
    /** single: one `j:` cookie with both tokens. split: __Host-access and __Secure-refresh. */
    readonly layout: CookieLayout;
  };
  abstract readonly csrf: {
    readonly mode: CsrfMode;
    /** HMAC key of the double-submit tokens, derived from REFRESH_TOKEN_SECRET (no extra secret to manage). */
    readonly secret: string;
  };
  abstract readonly tokens: {
    /**
     * HS256 keys, newest (signing) first, each named by a `kid`. Held as KeyObjects:
     * jsonwebtoken skips its PEM parsing then (~40x faster).
     */
    readonly accessKeys: readonly { readonly kid: string; readonly key: KeyObject }[];
    /** Keys taken out of accessKeys by a rotation: they verify on refresh only, never sign. */
    readonly retiredKeys: readonly { readonly kid: string; readonly key: KeyObject }[];
    readonly accessTtlSeconds: number;
    readonly issuer: string;
    readonly audience: string;
    /** HMAC key that derives a refresh token's successor (see sessions/refresh-tokens). */
    readonly refreshKey: KeyObject;
  };
  abstract readonly sessions: {
    readonly refreshTtlSeconds: number;
    readonly maxAgeSeconds: number;
    readonly reuseGraceSeconds: number;
    readonly maxPerUser: number;
    /** How long after the password was proved (auth_time) a session counts as recent. */
    readonly reauthMaxAgeSeconds: number;
    /** How long this instance may remember a session as live (0: ask the store every time). */
    readonly livenessCacheSeconds: number;
  };
  abstract readonly rateLimit: {
    readonly windowMs: number;
    readonly credentials: number;
    readonly refresh: number;
    readonly recovery: number;
    /** IPv6 clients share a bucket per network of this prefix length. */
    readonly ipv6Prefix: number;
  };
  /**
   * Mail and the links in it. `publicUrl` is null only in production without PUBLIC_URL; `transport`
   * is 'outbox' (development without SMTP_URL: .eml files under outboxDir) or null (production
   * without SMTP_URL). Either null: the recovery routes answer 503.
   */
  abstract readonly mail: {
    readonly publicUrl: string | null;
    readonly transport: { readonly smtpUrl: string } | 'outbox' | null;
    readonly outboxDir: string;
    readonly from: string;
    readonly timeoutMs: number;
    readonly resetTtlSeconds: number;
    readonly verificationTtlSeconds: number;
    readonly secureAccountTtlSeconds: number;
    /** Mails of one kind that others can cause, per account and per address, per window. */
    readonly limit: { readonly points: number; readonly windowSeconds: number };
  };
  abstract readonly bruteForce: { readonly maxFailures: number; readonly windowMs: number; readonly lockoutMs: number };
  abstract readonly passwords: {
    readonly bcryptCost: number;
    /** bcrypt work running or waiting at once in this process (a CPU bound, so per process by nature). */
    readonly maxPending: number;
    /** Base URL of a Pwned Passwords range API (no trailing slash); unset: no breach check. */
    readonly pwnedUrl?: string;
    /** How long to wait for it before accepting the password with a warning (fail-open). */
    readonly pwnedTimeoutMs: number;
  };
  /** HMAC key of the device cookies (OWASP), derived from REFRESH_TOKEN_SECRET like the CSRF key. */
  abstract readonly deviceCookie: { readonly key: KeyObject };
  /**
   * Second factors. `sealingKeys`: AES-256 keys for TOTP secrets at rest, the first seals, every
   * one opens what it sealed (rotation: put a new key first, keep the old ones until no secret
   * names them). `pendingTtlSeconds`/`maxCodeFailures`: how long a password sign-in waits for its
   * second step, and how many wrong codes end it.
   */
  abstract readonly mfa: {
    readonly appName: string;
    readonly sealingKeys: readonly { readonly kid: string; readonly key: KeyObject }[];
    readonly pendingTtlSeconds: number;
    readonly maxCodeFailures: number;
    /** How long "remember this device" skips the second step on that browser (0: the option is off). */
    readonly rememberDeviceSeconds: number;
  };
  abstract readonly log: { readonly level: string; readonly file?: string };
}

export type EnvOverrides = Partial<Record<keyof EnvSchema, string | undefined>>;

export function loadAppConfig(raw: Record<string, unknown>): AppConfig {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  const env = validateEnv(defined);
  const production = env.NODE_ENV === 'production';
  const seconds = (name: keyof EnvSchema) => parseDurationSeconds(String(env[name]))!;
  const secure = env.COOKIE_SECURE === undefined ? production : env.COOKIE_SECURE === 'true';
  const sameSite = env.COOKIE_SAMESITE as SameSite;
  const layout = env.COOKIE_LAYOUT as CookieLayout;
  if (sameSite === 'none' && !secure) {
    throw new Error('Invalid configuration:\n  - COOKIE_SAMESITE=none needs COOKIE_SECURE=true (browsers drop it otherwise)');
  }
  if (layout === 'split' && env.COOKIE_SECURE === 'false') {
    throw new Error('Invalid configuration:\n  - COOKIE_LAYOUT=split names its cookies __Host-/__Secure-, which browsers only accept with Secure: unset COOKIE_SECURE');
  }
  if (layout === 'split' && sameSite === 'none') {
    throw new Error('Invalid configuration:\n  - COOKIE_LAYOUT=split keeps the refresh cookie SameSite=Strict, so cross-site clients (COOKIE_SAMESITE=none) could never refresh: use COOKIE_LAYOUT=single');
  }
  const trustProxy = parseTrustProxy(env.TRUST_PROXY); // before any secret is written for a start that cannot happen
  const dataDir = resolve(env.DATA_DIR);
  const keyList = env.JWT_ACCESS_KEYS ? parseKeyList('JWT_ACCESS_KEYS', env.JWT_ACCESS_KEYS) : undefined;
  const retiredList = env.JWT_RETIRED_KEYS ? parseKeyList('JWT_RETIRED_KEYS', env.JWT_RETIRED_KEYS) : [];
  const secrets = resolveSecrets(
    { jwtAccessSecret: keyList ? keyList[0].secret : env.JWT_ACCESS_SECRET, refreshTokenSecret: env.REFRESH_TOKEN_SECRET },
    { production, dataDir },
  );
  const accessKeys = (keyList ?? [{ kid: derivedKid(secrets.jwtAccessSecret), secret: secrets.jwtAccessSecret }]).map(secretKey);
  const inBoth = retiredList.filter(({ kid }) => accessKeys.some((key) => key.kid === kid)).map(({ kid }) => kid);
  if (inBoth.length > 0) {
    throw new Error(`Invalid configuration:\n  - JWT_RETIRED_KEYS names ${inBoth.join(', ')}, which JWT_ACCESS_KEYS still holds: a kid is either in use or retired`);
  }
  return {
    production,
    http: {
      port: env.PORT,
      host: env.HOST,
      platform: env.HTTP_PLATFORM as 'express' | 'fastify',
      bodyLimit: env.BODY_LIMIT,
      trustProxy,
      openApiDocs: env.OPENAPI_DOCS === undefined ? !production : env.OPENAPI_DOCS === 'true',
      allowedOrigins: env.ALLOWED_ORIGINS.split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
    },
    storage: {
      kind: env.MONGODB_URI ? 'mongo' : 'sqlite',
      dataDir,
      sqliteFile: resolve(dataDir, 'nest-cookie-auth.sqlite'),
      mongoUri: env.MONGODB_URI,
    },
    cookie: { name: env.COOKIE_NAME, sameSite, secure: secure || layout === 'split', layout },
    csrf: {
      mode: env.CSRF_MODE as CsrfMode,
      secret: derivedKey(secrets.refreshTokenSecret, 'nest-cookie-auth csrf double-submit').toString('hex'),
    },
    deviceCookie: { key: createSecretKey(derivedKey(secrets.refreshTokenSecret, 'nest-cookie-auth device cookie')) },
    mfa: {
      appName: env.APP_NAME,
      sealingKeys: env.MFA_ENCRYPTION_KEYS
        ? parseKeyList('MFA_ENCRYPTION_KEYS', env.MFA_ENCRYPTION_KEYS).map(({ kid, secret }) => ({ kid, key: createSecretKey(derivedKey(secret, 'nest-cookie-auth totp sealing')) }))
        : [{ kid: 'derived', key: createSecretKey(derivedKey(secrets.refreshTokenSecret, 'nest-cookie-auth totp sealing')) }],
      pendingTtlSeconds: 5 * 60,
      maxCodeFailures: 5,
      rememberDeviceSeconds: seconds('MFA_REMEMBER_DEVICE'),
    },
    tokens: {
      accessKeys,
      retiredKeys: retiredList.map(secretKey),
      accessTtlSeconds: seconds('ACCESS_TTL'),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      refreshKey: createSecretKey(Buffer.from(secrets.refreshTokenSecret, 'utf8')),
    },
    sessions: {
      refreshTtlSeconds: seconds('REFRESH_TTL'),
      maxAgeSeconds: seconds('SESSION_MAX_AGE'),
      reuseGraceSeconds: seconds('REFRESH_REUSE_GRACE'),
      maxPerUser: env.MAX_SESSIONS_PER_USER,
      reauthMaxAgeSeconds: seconds('REAUTH_MAX_AGE'),
      livenessCacheSeconds: seconds('SESSION_CACHE_TTL'),
    },
    rateLimit: {
      windowMs: seconds('RATE_LIMIT_WINDOW') * 1000,
      credentials: env.RATE_LIMIT_LOGIN,
      refresh: env.RATE_LIMIT_REFRESH,
      recovery: env.RATE_LIMIT_RECOVERY,
      ipv6Prefix: env.RATE_LIMIT_IPV6_PREFIX,
    },
    mail: {
      publicUrl: env.PUBLIC_URL?.replace(/\/+$/, '') ?? (production ? null : `http://localhost:${env.PORT}`),
      transport: env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : production ? null : 'outbox',
      outboxDir: resolve(dataDir, 'outbox'),
      from: env.MAIL_FROM,
      timeoutMs: seconds('SMTP_TIMEOUT') * 1000,
      resetTtlSeconds: seconds('PASSWORD_RESET_TTL'),
      verificationTtlSeconds: seconds('EMAIL_VERIFICATION_TTL'),
      secureAccountTtlSeconds: seconds('SECURE_ACCOUNT_TTL'),
      limit: { points: env.MAIL_LIMIT, windowSeconds: seconds('MAIL_LIMIT_WINDOW') },
    },
    bruteForce: {
      maxFailures: env.LOGIN_MAX_FAILURES,
      windowMs: seconds('LOGIN_FAILURE_WINDOW') * 1000,
      lockoutMs: seconds('LOGIN_LOCKOUT') * 1000,
    },
    passwords: {
      bcryptCost: env.BCRYPT_COST,
      maxPending: env.MAX_PENDING_PASSWORD_CHECKS,
      pwnedUrl: env.PWNED_PASSWORDS_URL?.replace(/\/+$/, ''),
      pwnedTimeoutMs: env.PWNED_PASSWORDS_TIMEOUT_MS,
    },
    log: { level: env.LOG_LEVEL, file: env.LOG_FILE },
  };
}

const KID = /^[A-Za-z0-9_.-]{1,32}$/;

/** "2026-11:secret,2026-10:older-secret": kid and secret pairs (JWT_ACCESS_KEYS: signing key first). */
function parseKeyList(variable: 'JWT_ACCESS_KEYS' | 'JWT_RETIRED_KEYS' | 'MFA_ENCRYPTION_KEYS', list: string): { kid: string; secret: string }[] {
  const pairs = list.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
    const colon = item.indexOf(':');
    return colon < 0 ? { kid: '', secret: item } : { kid: item.slice(0, colon), secret: item.slice(colon + 1) };
  });
  const problems = pairs.flatMap(({ kid, secret }, i) => [
    ...(KID.test(kid) ? [] : [`${variable} entry ${i + 1} needs a kid of 1-32 letters, digits, ".", "_" or "-" before a colon`]),
    ...(secret.length >= 32 ? [] : [`${variable} entry ${i + 1} (${kid || '?'}) needs a secret of at least 32 characters`]),
  ]);
  if (new Set(pairs.map((p) => p.kid)).size !== pairs.length) problems.push(`${variable} has the same kid twice`);
  if (pairs.length === 0) problems.push(`${variable} is set but lists no key`);
  if (problems.length > 0) throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return pairs;
}

function secretKey({ kid, secret }: { kid: string; secret: string }): { kid: string; key: KeyObject } {
  return { kid, key: createSecretKey(Buffer.from(secret, 'utf8')) };
}

/** A single JWT_ACCESS_SECRET gets a stable kid derived from it, so tokens carry one from day one. */
function derivedKid(secret: string): string {
  return `k-${createHash('sha256').update(secret).digest('base64url').slice(0, 8)}`;
}

/** Separate keys for separate uses, from the one secret an operator manages. */
function derivedKey(secret: string, use: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', use, 32));
}
