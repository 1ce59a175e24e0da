import { KeyObject } from 'node:crypto';

/** One HS256 key and the `kid` that names it in a token's header. */
export interface AccessKey {
  kid: string;
  key: KeyObject;
}

/** The one algorithm access tokens are signed and verified with. */
export const ACCESS_TOKEN_ALGORITHM = 'HS256' as const;

/** What a header may say; anything else (jku, x5u, crit, …) is not ours. */
const HEADER_FIELDS = new Set(['alg', 'typ', 'kid']);

/**
 * The `kid` of a JWT whose header could be one of ours: a JSON object naming HS256, one string
 * kid, no field named twice and nothing we do not know. Decoded without trusting it: this only
 * picks the key, which then verifies the whole token. Null for anything else.
 */
export function kidOf(token: string): string | null {
  const json = Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8');
  // Without escapes no string can hide a quote, so every `"name":` below is a field name:
  // JSON.parse keeps the last of two kids silently, so a second one is refused here.
  if (json.includes('\\')) return null;
  const names = Array.from(json.matchAll(/"([^"]*)"\s*:/g), ([, name]) => name);
  if (new Set(names).size !== names.length || names.some((name) => !HEADER_FIELDS.has(name))) return null;
  let header: unknown;
  try {
    header = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return null;
  const { alg, typ, kid } = header as Record<string, unknown>;
  return alg === ACCESS_TOKEN_ALGORITHM && (typ === undefined || typ === 'JWT') && typeof kid === 'string' ? kid : null;
}

/**
 * The access-token keys. New tokens are signed with the first key in use; any key in use
 * verifies the tokens that name it. Retired keys (JWT_RETIRED_KEYS) verify on refresh only, so
 * a session whose token was signed before a rotation refreshes onto the new key, while no
 * route takes such a token as access. A kid we do not hold verifies nothing, anywhere.
 */
export class AccessKeyRing {
  private readonly inUse: ReadonlyMap<string, KeyObject>;
  private readonly retired: ReadonlyMap<string, KeyObject>;

  constructor(
    private readonly keys: readonly AccessKey[],
    retired: readonly AccessKey[] = [],
  ) {
    if (keys.length === 0) throw new Error('AccessKeyRing needs at least one key');
    this.inUse = new Map(keys.map(({ kid, key }) => [kid, key]));
    this.retired = new Map(retired.map(({ kid, key }) => [kid, key]));
  }

  get signing(): AccessKey {
    return this.keys[0];
  }

  /** The key a header's kid names, and whether it is retired; null for a kid we do not hold. */
  keyFor(kid: string): { key: KeyObject; retired: boolean } | null {
    const inUse = this.inUse.get(kid);
    if (inUse) return { key: inUse, retired: false };
    const retired = this.retired.get(kid);
    return retired ? { key: retired, retired: true } : null;
  }
}
