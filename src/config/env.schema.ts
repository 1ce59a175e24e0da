import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const DURATION = /^\d{1,9}[smhd]?$/;
const DURATION_MESSAGE = '$property must be a duration such as 900, 15m, 7d';
const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

/**
 * Every environment variable the service reads, with its default.
 * `.env.example` documents the same list; keep the two together.
 */
export class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsString()
  DATA_DIR = './data';

  @Transform(blankToUndefined) @IsOptional() @Matches(/^mongodb(\+srv)?:\/\//, { message: 'MONGODB_URI must start with mongodb:// or mongodb+srv://' })
  MONGODB_URI?: string;

  @Transform(blankToUndefined) @IsOptional() @IsString()
  JWT_ACCESS_SECRET?: string;

  /** kid:secret pairs, signing key first; replaces JWT_ACCESS_SECRET when set. */
  @Transform(blankToUndefined) @IsOptional() @IsString()
  JWT_ACCESS_KEYS?: string;

  /** kid:secret pairs that verify on refresh only: the keys a rotation took out of JWT_ACCESS_KEYS. */
  @Transform(blankToUndefined) @IsOptional() @IsString()
  JWT_RETIRED_KEYS?: string;

  @Transform(blankToUndefined) @IsOptional() @IsString()
  REFRESH_TOKEN_SECRET?: string;

  /** kid:secret pairs that seal TOTP secrets at rest, sealing key first; the others still open what they sealed. Unset: one key derived from REFRESH_TOKEN_SECRET. */
  @Transform(blankToUndefined) @IsOptional() @IsString()
  MFA_ENCRYPTION_KEYS?: string;

  /** How long a browser that passed the second step with "remember this device" skips it (0: never remember). */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  MFA_REMEMBER_DEVICE = '30d';

  /** The issuer an authenticator app shows beside the account (the otpauth URI's issuer). */
  @IsString() @Matches(/^[^:\r\n]{1,64}$/, { message: 'APP_NAME must be 1-64 characters, one line, without ":"' })
  APP_NAME = 'Nest Cookie Auth';

  @IsString()
  JWT_ISSUER = 'nest-cookie-auth';

  @IsString()
  JWT_AUDIENCE = 'nest-cookie-auth';

  @Matches(DURATION, { message: DURATION_MESSAGE })
  ACCESS_TTL = '15m';

  @Matches(DURATION, { message: DURATION_MESSAGE })
  REFRESH_TTL = '7d';

  @Matches(DURATION, { message: DURATION_MESSAGE })
  SESSION_MAX_AGE = '30d';

  @Matches(DURATION, { message: DURATION_MESSAGE })
  REFRESH_REUSE_GRACE = '10s';

  /** How long after the password was proved a session may change the password or delete the account without it. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  REAUTH_MAX_AGE = '10m';

  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  MAX_SESSIONS_PER_USER = 10;

  @Matches(DURATION, { message: DURATION_MESSAGE })
  SESSION_CACHE_TTL = '0';

  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'COOKIE_NAME must be 1-64 letters, digits, - or _' })
  COOKIE_NAME = 'auth-cookie';

  @IsIn(['lax', 'strict', 'none'])
  COOKIE_SAMESITE = 'lax';

  @Transform(blankToUndefined) @IsOptional() @IsIn(['true', 'false'])
  COOKIE_SECURE?: string;

  /** single: the design's one auth-cookie. split: __Host-access (Path=/) + __Secure-refresh (Path=/auth/refresh). */
  @IsIn(['single', 'split'])
  COOKIE_LAYOUT = 'single';

  /** origin: Sec-Fetch-Site and Origin checks. double-submit: those plus a signed token (csrf-csrf). */
  @IsIn(['origin', 'double-submit'])
  CSRF_MODE = 'origin';

  @IsString()
  ALLOWED_ORIGINS = '';

  /** false, a hop count, or addresses/CIDRs/Express presets; parsed and checked in app-config (trust-proxy.ts). */
  @IsString()
  TRUST_PROXY = 'false';

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_LOGIN = 20;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_REFRESH = 60;

  @Matches(DURATION, { message: DURATION_MESSAGE })
  RATE_LIMIT_WINDOW = '60s';

  /** IPv6 clients are rate-limited per network of this prefix length (one subscriber gets a whole /64); 128: per address. */
  @Transform(toInt) @IsInt() @Min(32) @Max(128)
  RATE_LIMIT_IPV6_PREFIX = 64;

  @Transform(toInt) @IsInt() @Min(1)
  LOGIN_MAX_FAILURES = 10;

  @Matches(DURATION, { message: DURATION_MESSAGE })
  LOGIN_FAILURE_WINDOW = '15m';

  @Matches(DURATION, { message: DURATION_MESSAGE })
  LOGIN_LOCKOUT = '15m';

  @Transform(toInt) @IsInt() @Min(4) @Max(15)
  BCRYPT_COST = 12;

  /** bcrypt hashes and checks running or waiting at once in one process; past it, 503 with Retry-After. */
  @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  MAX_PENDING_PASSWORD_CHECKS = 32;

  /** Have I Been Pwned's range API (k-anonymity), e.g. https://api.pwnedpasswords.com. Unset: no breach check. */
  @Transform(blankToUndefined) @IsOptional() @Matches(/^https?:\/\/[^\s]+$/, { message: 'PWNED_PASSWORDS_URL must be an http(s) URL such as https://api.pwnedpasswords.com' })
  PWNED_PASSWORDS_URL?: string;

  /** How long a signup or password change waits for that API before accepting the password anyway (fail-open). */
  @Transform(toInt) @IsInt() @Min(100) @Max(10000)
  PWNED_PASSWORDS_TIMEOUT_MS = 1500;

  /** The OpenAPI UI and document (/docs, /docs-json). Unset: on, except with NODE_ENV=production. */
  @Transform(blankToUndefined) @IsOptional() @IsIn(['true', 'false'])
  OPENAPI_DOCS?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(blankToUndefined) @IsOptional() @IsString()
  LOG_FILE?: string;

  /** express (the default, the design's cookie-parser) or fastify (@nestjs/platform-fastify): the same answers on both. */
  @IsIn(['express', 'fastify'])
  HTTP_PLATFORM = 'express';

  @Matches(/^\d+(b|kb|mb)$/, { message: 'BODY_LIMIT must look like 100kb' })
  BODY_LIMIT = '100kb';

  /** Where users reach the service; every link in a mail is built from it, never from a request header. Development: http://localhost:PORT. */
  @Transform(blankToUndefined) @IsOptional() @Matches(/^https?:\/\/[^/?#\s@]+(\/[^?#\s]*)?$/, { message: 'PUBLIC_URL must be an http(s) URL without query, fragment or credentials, such as https://auth.example.com' })
  PUBLIC_URL?: string;

  /** smtp://user:pass@host:587 or smtps://…:465. Unset: development writes mail to DATA_DIR/outbox, production answers 503 on the recovery routes. */
  @Transform(blankToUndefined) @IsOptional() @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must start with smtp:// or smtps://' })
  SMTP_URL?: string;

  @IsString() @Matches(/^[^\r\n]+$/, { message: 'MAIL_FROM must be one line' })
  MAIL_FROM = 'Nest Cookie Auth <no-reply@localhost>';

  /** The most one SMTP connect, greeting or reply may take before the send is given up (and logged). */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  SMTP_TIMEOUT = '10s';

  @Matches(DURATION, { message: DURATION_MESSAGE })
  PASSWORD_RESET_TTL = '30m';

  @Matches(DURATION, { message: DURATION_MESSAGE })
  EMAIL_VERIFICATION_TTL = '1d';

  /** Lifetime of the "not you? secure your account" link mailed to the address an account is leaving. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  SECURE_ACCOUNT_TTL = '7d';

  /** Mails of one kind that someone other than the owner can cause (reset links, verification links, address-in-use notices), per account and per address per MAIL_LIMIT_WINDOW. */
  @Transform(toInt) @IsInt() @Min(1)
  MAIL_LIMIT = 3;

  @Matches(DURATION, { message: DURATION_MESSAGE })
  MAIL_LIMIT_WINDOW = '15m';

  /** Per client address per RATE_LIMIT_WINDOW: reset requests, reset confirmations and verifications together. */
  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_RECOVERY = 10;
}

export function validateEnv(raw: Record<string, unknown>): EnvSchema {
  const env = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new Error(`Invalid configuration:\n  - ${lines.join('\n  - ')}`);
  }
  return env;
}
