/** One login on one device. */
export interface Session {
  id: string;
  userId: string;
  /** SHA-256 of the refresh token that may rotate this session now. */
  currentTokenHash: string;
  /** SHA-256 of the token retired by the latest rotation (kept for the grace window). */
  previousTokenHash: string | null;
  /** When the latest rotation happened. */
  rotatedAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date;
  /** Idle expiry: slides with each refresh, never past absoluteExpiresAt. */
  expiresAt: Date;
  /** createdAt + SESSION_MAX_AGE: no refresh extends it. */
  absoluteExpiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/**
 * One refresh token ever issued, by hash, with its own expiry. Retired tokens stay until they
 * expire so that replaying one is recognised as theft and not mistaken for garbage.
 */
export interface RefreshRecord {
  tokenHash: string;
  sessionId: string;
  userId: string;
  expiresAt: Date;
}

export interface Rotation {
  sessionId: string;
  userId: string;
  fromHash: string;
  toHash: string;
  at: Date;
  /** The session's new idle expiry, and the successor record's expiry. */
  expiresAt: Date;
}
