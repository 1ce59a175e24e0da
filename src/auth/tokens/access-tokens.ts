import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config';

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

@Injectable()
export class AccessTokens {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  sign(claims: AccessClaims): string {
    return this.jwt.sign({ sid: claims.sid }, { subject: claims.sub });
  }

  /** Fully checked, expiry included; says whether a refused token had merely expired. */
  verify(token: string): { claims: AccessClaims } | { expired: true } | null {
    try {
      const payload = this.jwt.verify<object>(token);
      return hasAccessClaims(payload) ? { claims: { sub: payload.sub, sid: payload.sid } } : null;
    } catch (error) {
      return (error as Error).name === 'TokenExpiredError' ? { expired: true } : null;
    }
  }

  /** Signature, algorithm, issuer and audience checked; expiry ignored (logout, refresh). */
  verifyIgnoringExpiry(token: string): AccessClaims | null {
    try {
      const payload = this.jwt.verify<object>(token, { ignoreExpiration: true });
      return hasAccessClaims(payload) ? { sub: payload.sub, sid: payload.sid } : null;
    } catch {
      return null;
    }
  }

  /** Options shared by signing and by both passport strategies, so the rules live here once. */
  static verifyOptions(config: AppConfig) {
    return {
      algorithms: [ACCESS_TOKEN_ALGORITHM] as ['HS256'],
      issuer: config.tokens.issuer,
      audience: config.tokens.audience,
    };
  }
}
