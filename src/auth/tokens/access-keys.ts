import { KeyObject } from 'node:crypto';

/** One HS256 key and the `kid` that names it in a token's header. */
export interface AccessKey {
  kid: string;
  key: KeyObject;
}

/** A JWT's header, decoded without trusting it; null when it is not a JSON object. */
export function headerOf(token: string): { alg?: unknown; kid?: unknown } | null {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null && !Array.isArray(header) ? header : null;
  } catch {
    return null;
  }
}

/** The `kid` in a JWT's header, read without trusting anything else in the token. */
export function kidOf(token: string): string | null {
  const kid = headerOf(token)?.kid;
  return typeof kid === 'string' ? kid : null;
}

/**
 * The access-token keys: new tokens are signed with the first; any listed key verifies the
 * tokens that name it. Rotating is adding a key in front, then dropping the old one once the
 * tokens it signed have expired (ACCESS_TTL): nobody is signed out.
 */
export class AccessKeyRing {
  private readonly byKid: ReadonlyMap<string, KeyObject>;

  constructor(private readonly keys: readonly AccessKey[]) {
    if (keys.length === 0) throw new Error('AccessKeyRing needs at least one key');
    this.byKid = new Map(keys.map(({ kid, key }) => [kid, key]));
  }

  get signing(): AccessKey {
    return this.keys[0];
  }

  /** The key the token's header names, or null when it names none we hold. */
  keyFor(token: string): KeyObject | null {
    const kid = kidOf(token);
    return (kid !== null && this.byKid.get(kid)) || null;
  }

  /**
   * An HS256 token naming a kid we no longer hold: what every live session's cookie carries
   * once its key is dropped from JWT_ACCESS_KEYS. Tokens without a kid, or of another
   * algorithm, are never ours and never count as this.
   */
  isFromDroppedKey(token: string): boolean {
    const header = headerOf(token);
    return header?.alg === 'HS256' && typeof header.kid === 'string' && !this.byKid.has(header.kid);
  }
}
