import { Injectable } from '@nestjs/common';
import { AccessClaims } from './access-tokens';

/** Bound on remembered tokens; beyond it the oldest is forgotten (it just gets verified again). */
const MAX_ENTRIES = 50_000;

/**
 * Access tokens this process has already verified (signature, algorithm, kid, iss, aud),
 * remembered until their own `exp`. A hit skips passport and jsonwebtoken on the hot path;
 * the session's liveness is still asked on every request, so revocation is unaffected.
 * Keyed by the whole token: only its exact bytes hit.
 *
 * Apart from those, and never answering for access: tokens found genuine for naming their
 * session (refresh, logout, the CSRF binding: a key in use or retired, expiry ignored). That
 * answer does not change with time, so it is kept while there is room: a double-submit refresh
 * asks about the same token three times (CSRF check, refresh, the new CSRF token).
 */
@Injectable()
export class VerifiedTokens {
  private readonly entries = new Map<string, { claims: AccessClaims; expiresAtMs: number }>();
  private readonly genuine = new Map<string, AccessClaims>();

  get(token: string, nowMs = Date.now()): AccessClaims | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(token);
      return null;
    }
    return entry.claims;
  }

  remember(token: string, claims: AccessClaims, expSeconds: number): void {
    makeRoom(this.entries);
    this.entries.set(token, { claims, expiresAtMs: expSeconds * 1000 });
  }

  /** The session a genuine token names, expired or not; null when not remembered as genuine. */
  genuineClaims(token: string): AccessClaims | null {
    return this.genuine.get(token) ?? null;
  }

  rememberGenuine(token: string, claims: AccessClaims): void {
    makeRoom(this.genuine);
    this.genuine.set(token, claims);
  }
}

/** Forgets the oldest entry when full (it just gets verified again). */
function makeRoom(map: Map<string, unknown>): void {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
}
