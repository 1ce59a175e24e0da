import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { AccessKeyRing } from './access-keys';

/** Three base64url parts; anything longer than this is not one of ours. */
const ACCESS_TOKEN_SHAPE = /^[A-Za-z0-9_-]{10,512}\.[A-Za-z0-9_-]{10,1024}\.[A-Za-z0-9_-]{20,512}$/;
export const ACCESS_TOKEN_ALGORITHM = 'HS256';

export interface AccessClaims {
  sub: string;
  sid: string;
}

export function isAccessTokenShape(value: unknown): value is string {
  return typeof value === 'string' && ACCESS_TOKEN_SHAPE.test(value);
}

/** Claims as they come out of a verified token: only trusted once both ids are strings. */
export function hasAccessClaims(payload: unknown): payload is AccessClaims {
  const claims = payload as Partial<AccessClaims> | null;
  return typeof claims?.sub === 'string' && typeof claims.sid === 'string';
}

/** Signs and verifies access tokens: HS256 only, under the key ring, with iss and aud checked. */
@Injectable()
export class AccessTokens {
  readonly keys: AccessKeyRing;

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {
    this.keys = new AccessKeyRing(config.tokens.accessKeys);
  }

  sign(claims: AccessClaims): string {
    const { kid, key } = this.keys.signing;
    return this.jwt.sign({ sid: claims.sid }, { subject: claims.sub, secret: key as unknown as Buffer, keyid: kid });
  }

  /** Fully checked, expiry included; says whether a refused token had merely expired. */
  verify(token: string): { claims: AccessClaims } | { expired: true } | null {
    const key = this.keys.keyFor(token);
    if (!key) return null;
    try {
      const payload = this.jwt.verify<object>(token, { secret: key as unknown as Buffer });
      return hasAccessClaims(payload) ? { claims: { sub: payload.sub, sid: payload.sid } } : null;
    } catch (error) {
      return (error as Error).name === 'TokenExpiredError' ? { expired: true } : null;
    }
  }

  /** Signature, algorithm, issuer and audience checked; expiry ignored (logout, refresh). */
  verifyIgnoringExpiry(token: string): AccessClaims | null {
    const key = this.keys.keyFor(token);
    if (!key) return null;
    try {
      const payload = this.jwt.verify<object>(token, { secret: key as unknown as Buffer, ignoreExpiration: true });
      return hasAccessClaims(payload) ? { sub: payload.sub, sid: payload.sid } : null;
    } catch {
      return null;
    }
  }

  /**
   * passport-jwt options shared by both strategies, so the rules live here once: the key
   * named by the token's kid (an unknown kid fails), HS256 pinned, iss and aud checked.
   */
  strategyOptions() {
    return {
      secretOrKeyProvider: (_req: Request, rawJwt: string, done: (err: unknown, key?: string | Buffer) => void) => {
        const key = this.keys.keyFor(rawJwt);
        if (key) done(null, key as unknown as Buffer); // jsonwebtoken takes a KeyObject; the typings lag
        else done(new UnknownKeyError());
      },
      ...AccessTokens.verifyOptions(this.config),
    };
  }

  static verifyOptions(config: AppConfig) {
    return {
      algorithms: [ACCESS_TOKEN_ALGORITHM] as ['HS256'],
      issuer: config.tokens.issuer,
      audience: config.tokens.audience,
    };
  }
}

/** The token names a key we do not hold (never ours, or dropped from JWT_ACCESS_KEYS). */
export class UnknownKeyError extends Error {
  override readonly name = 'UnknownKeyError';
  constructor() {
    super('unknown signing key');
  }
}
