import { KeyObject } from 'node:crypto';

/** One HS256 key and the `kid` that names it in a token's header. */
export interface AccessKey {
  kid: string;
  key: KeyObject;
}

/** The `kid` in a JWT's header, read without trusting anything else in the token. */
export function kidOf(token: string): string | null {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as unknown;
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : null;
  } catch {
    return null;
  }
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
}
