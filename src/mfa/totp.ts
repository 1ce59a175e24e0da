import { Secret, TOTP } from 'otpauth';

/** What every authenticator app reads: SHA-1, 6 digits, 30-second steps (RFC 6238's defaults). */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** A code of the step before or after the current one is still taken: clocks drift, people type slowly. */
const WINDOW_STEPS = 1;
/** 160 bits, the HMAC-SHA-1 output size RFC 4226 recommends for a shared secret. */
const SECRET_BYTES = 20;

export const TOTP_CODE_PATTERN = /^\d{6}$/;

export function newTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: SECRET_BYTES }).buffer);
}

export function base32Of(secret: Buffer): string {
  return new Secret({ buffer: toArrayBuffer(secret) }).base32;
}

/** The otpauth:// URI an authenticator app scans: issuer and account name, and the secret. */
export function totpUri(secret: Buffer, issuer: string, accountName: string): string {
  return totpFor(secret, issuer, accountName).toString();
}

/**
 * The time step a code belongs to, within one step of `now`, or null when it matches none.
 * Whether that step may still be used is the store's decision (SecondFactorsRepository.useTotpStep).
 */
export function stepOfCode(secret: Buffer, code: string, now: Date): number | null {
  if (!TOTP_CODE_PATTERN.test(code)) return null;
  const totp = totpFor(secret, '', '');
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: WINDOW_STEPS });
  return delta === null ? null : totp.counter({ timestamp: now.getTime() }) + delta;
}

/** The code of `now`'s step: for tests and the Postman pre-request script's twin. */
export function codeAt(secret: Buffer, now: Date): string {
  return totpFor(secret, '', '').generate({ timestamp: now.getTime() });
}

function totpFor(secret: Buffer, issuer: string, label: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret: new Secret({ buffer: toArrayBuffer(secret) }) });
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
