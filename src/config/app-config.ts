import { KeyObject, createSecretKey } from 'node:crypto';
import { resolve } from 'node:path';
import { parseDurationSeconds } from './duration';
import { EnvSchema, validateEnv } from './env.schema';
import { resolveSecrets } from './secrets';

export type SameSite = 'lax' | 'strict' | 'none';

/**
 * The typed configuration, built and validated once at boot. It is also the DI token:
 * inject `AppConfig` rather than reading the environment.
 */
export abstract class AppConfig {
  abstract readonly production: boolean;
  abstract readonly http: {
    readonly port: number;
    readonly host: string;
    readonly bodyLimit: string;
    readonly trustProxy: boolean | string;
    /** Origins besides the service's own that may make credentialed, state-changing calls. */
    readonly allowedOrigins: readonly string[];
  };
  abstract readonly storage: {
    readonly kind: 'sqlite' | 'mongo';
    readonly dataDir: string;
    readonly sqliteFile: string;
    readonly mongoUri?: string;
  };
  abstract readonly cookie: { readonly name: string; readonly sameSite: SameSite; readonly secure: boolean };
  abstract readonly tokens: {
    /** HS256 key, held as a KeyObject: jsonwebtoken skips its PEM parsing then (~40x faster). */
    readonly accessKey: KeyObject;
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
  };
  abstract readonly rateLimit: { readonly windowMs: number; readonly credentials: number; readonly refresh: number };
  abstract readonly passwords: { readonly bcryptCost: number };
}

export type EnvOverrides = Partial<Record<keyof EnvSchema, string | undefined>>;

export function loadAppConfig(raw: Record<string, unknown>): AppConfig {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  const env = validateEnv(defined);
  const production = env.NODE_ENV === 'production';
  const seconds = (name: keyof EnvSchema) => parseDurationSeconds(String(env[name]))!;
  const secure = env.COOKIE_SECURE === undefined ? production : env.COOKIE_SECURE === 'true';
  const sameSite = env.COOKIE_SAMESITE as SameSite;
  if (sameSite === 'none' && !secure) {
    throw new Error('Invalid configuration:\n  - COOKIE_SAMESITE=none needs COOKIE_SECURE=true (browsers drop it otherwise)');
  }
  const dataDir = resolve(env.DATA_DIR);
  const secrets = resolveSecrets(
    { jwtAccessSecret: env.JWT_ACCESS_SECRET, refreshTokenSecret: env.REFRESH_TOKEN_SECRET },
    { production, dataDir },
  );
  return {
    production,
    http: {
      port: env.PORT,
      host: env.HOST,
      bodyLimit: env.BODY_LIMIT,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      allowedOrigins: env.ALLOWED_ORIGINS.split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
    },
    storage: {
      kind: env.MONGODB_URI ? 'mongo' : 'sqlite',
      dataDir,
      sqliteFile: resolve(dataDir, 'nest-cookie-auth.sqlite'),
      mongoUri: env.MONGODB_URI,
    },
    cookie: { name: env.COOKIE_NAME, sameSite, secure },
    tokens: {
      accessKey: createSecretKey(Buffer.from(secrets.jwtAccessSecret, 'utf8')),
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
    },
    rateLimit: {
      windowMs: seconds('RATE_LIMIT_WINDOW') * 1000,
      credentials: env.RATE_LIMIT_LOGIN,
      refresh: env.RATE_LIMIT_REFRESH,
    },
    passwords: { bcryptCost: env.BCRYPT_COST },
  };
}

function parseTrustProxy(value: string): boolean | string {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  return value; // a hop count or a subnet list, as Express's "trust proxy" takes it
}
