import { Injectable } from '@nestjs/common';
import { AccessClaims } from './access-tokens';

/** Bound on remembered tokens; beyond it the oldest is forgotten (it just gets verified again). */
const MAX_ENTRIES = 50_000;

/**
 * Access tokens this process has already verified (signature, algorithm, kid, iss, aud),
 * remembered until their own `exp`. A hit skips passport and jsonwebtoken on the hot path;
 * the session's liveness is still asked on every request, so revocation is unaffected.
 * Keyed by the whole token: only its exact bytes hit.
 */
@Injectable()
export class VerifiedTokens {
  private readonly entries = new Map<string, { claims: AccessClaims; expiresAtMs: number }>();

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
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { claims, expiresAtMs: expSeconds * 1000 });
  }
}
