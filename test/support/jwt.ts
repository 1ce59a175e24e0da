import { createHmac } from 'node:crypto';

const b64 = (part: string) => Buffer.from(part).toString('base64url');

/**
 * A JWT made by hand, as an attacker (or a buggy issuer) would: any header, any payload, signed
 * with HS256 under `secret`, or carrying a junk signature when `secret` is null. A string header
 * is used byte for byte (a duplicate field, broken JSON).
 */
export function handMadeJwt(header: object | string, payload: object, secret: string | null): string {
  const signingInput = `${b64(typeof header === 'string' ? header : JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const signature = secret === null ? 'A'.repeat(43) : createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** The decoded payload of a JWT (unverified: for assertions). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

/** The decoded header of a JWT (unverified: for assertions). */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
}
