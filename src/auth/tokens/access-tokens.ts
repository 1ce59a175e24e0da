import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config';
import { ACCESS_TOKEN_ALGORITHM, AccessKeyRing, kidOf } from './access-keys';

/** Three base64url parts; anything longer than this is not one of ours. */
const ACCESS_TOKEN_SHAPE = /^[A-Za-z0-9_-]{10,512}\.[A-Za-z0-9_-]{10,1024}\.[A-Za-z0-9_-]{20,512}$/;

export interface AccessClaims {
  sub: string;
  sid: string;
  /**
   * `auth_time`: when the password was last proved in this session, in seconds since the epoch.
   * Null for a token minted before the claim existed: such a session is simply not recent.
   */
  authTime: number | null;
}

/** A verified token: its claims, and its `exp` (seconds) for callers that remember it. */
export interface VerifiedToken {
  claims: AccessClaims;
  exp: number;
}

export type TokenCheck = VerifiedToken | { refused: 'expired' | 'invalid' };

/** Access routes take only keys in use and unexpired tokens; refresh also takes retired keys and ignores expiry. */
export type TokenUse = 'access' | 'refresh';

export function isAccessTokenShape(value: unknown): value is string {
  return typeof value === 'string' && ACCESS_TOKEN_SHAPE.test(value);
}

/**
 * The claims of a payload whose signature has been verified, or null when they are not what we
 * sign: both ids strings, `exp` and `iat` numbers, `iss` and `aud` single strings, `auth_time`
 * (if present) a whole number of seconds no later than the token's own `iat`.
 */
export function claimsOf(payload: unknown): VerifiedToken | null {
  const { sub, sid, exp, iat, iss, aud, auth_time: authTime } = (payload ?? {}) as Record<string, unknown>;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number' || typeof iat !== 'number') return null;
  // jsonwebtoken has checked their values; an audience list is still not what we sign.
  if (typeof iss !== 'string' || typeof aud !== 'string') return null;
  if (authTime !== undefined && !(Number.isSafeInteger(authTime) && (authTime as number) >= 0 && (authTime as number) <= iat)) return null;
  return { claims: { sub, sid, authTime: (authTime as number | undefined) ?? null }, exp };
}

/** Signs and verifies access tokens: HS256 only, under the key ring, with iss and aud checked. */
@Injectable()
export class AccessTokens {
  private readonly keys: AccessKeyRing;

  constructor(
    private readonly jwt: JwtService,
    config: AppConfig,
  ) {
    this.keys = new AccessKeyRing(config.tokens.accessKeys, config.tokens.retiredKeys);
  }

  /** Always under the signing key; `auth_time` is carried over from the caller's proof. */
  sign(claims: AccessClaims): string {
    const { kid, key } = this.keys.signing;
    const payload = claims.authTime === null ? { sid: claims.sid } : { sid: claims.sid, auth_time: claims.authTime };
    return this.jwt.sign(payload, { subject: claims.sub, secret: key as unknown as Buffer, keyid: kid });
  }

  /**
   * The one JWT check. The header must name a key we hold, and signature, algorithm, iss and aud
   * must verify under it. `access`: a key in use, expiry enforced; a genuine token under a
   * retired key is refused as expired, so the client refreshes onto the current key.
   * `refresh`: keys in use or retired, expiry ignored (the refresh token beside it is the
   * credential that must still be live).
   */
  verify(token: string, use: TokenUse, now = new Date()): TokenCheck {
    const kid = kidOf(token);
    const found = kid === null ? null : this.keys.keyFor(kid);
    if (!found) return { refused: 'invalid' };
    try {
      const payload = this.jwt.verify<object>(token, {
        secret: found.key as unknown as Buffer, // jsonwebtoken takes a KeyObject; the typings lag
        ignoreExpiration: use === 'refresh' || found.retired,
        clockTimestamp: Math.floor(now.getTime() / 1000),
      });
      const verified = claimsOf(payload);
      if (!verified) return { refused: 'invalid' };
      return use === 'access' && found.retired ? { refused: 'expired' } : verified;
    } catch (error) {
      return (error as Error).name === 'TokenExpiredError' ? { refused: 'expired' } : { refused: 'invalid' };
    }
  }

  /** jsonwebtoken's options for JwtModule; the key comes per call from the key ring (kid). */
  static signOptions(config: AppConfig) {
    return {
      algorithm: ACCESS_TOKEN_ALGORITHM,
      expiresIn: config.tokens.accessTtlSeconds,
      issuer: config.tokens.issuer,
      audience: config.tokens.audience,
    };
  }

  static verifyOptions(config: AppConfig) {
    return {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: config.tokens.issuer,
      audience: config.tokens.audience,
    };
  }
}
