import { RefreshRecord, Rotation, Session } from './session';

/** Port: sessions and their refresh records. Adapters in storage/ implement it. */
export abstract class SessionsRepository {
  /** Stores the session and the refresh record of its first token. */
  abstract create(session: Session): Promise<void>;
  /** The session if it exists and neither of its expiries has passed at `now`. */
  abstract findLive(sessionId: string, now: Date): Promise<Session | null>;
  abstract listLive(userId: string, now: Date): Promise<Session[]>;
  abstract findRefreshRecord(tokenHash: string): Promise<RefreshRecord | null>;
  /**
   * A rotation: stores the successor's refresh record (insert-or-ignore: successors are
   * deterministic, so concurrent rotations store the same one) and moves the session from
   * `fromHash` to `toHash` only if `fromHash` is still its current token, by one atomic
   * compare-and-set. The record is never written after the compare-and-set, so an interruption
   * cannot leave a session on a token without its record. Returns false when another request
   * got there first.
   */
  abstract rotate(rotation: Rotation): Promise<boolean>;
  /** Deletes the session and its refresh records. Returns whether it existed for that user. */
  abstract revoke(userId: string, sessionId: string): Promise<boolean>;
  /** Deletes every session of the user except `keepSessionId`; returns how many went. */
  abstract revokeAll(userId: string, keepSessionId?: string): Promise<number>;
  /** Deletes the user's oldest live sessions so that at most `keep` remain. Returns the evicted ids. */
  abstract evictOldest(userId: string, keep: number, now: Date): Promise<string[]>;
  /** Removes expired sessions and refresh records (MongoDB does this itself with TTL indexes). */
  abstract purgeExpired(now: Date): Promise<void>;
}
