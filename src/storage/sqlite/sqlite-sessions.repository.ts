import { RefreshRecord, Rotation, Session } from '../../sessions/session';
import { SessionsRepository } from '../../sessions/sessions.repository';
import { SqliteDatabase, sqlite } from './sqlite-database';

interface SessionRow {
  id: string;
  user_id: string;
  current_token_hash: string;
  previous_token_hash: string | null;
  rotated_at: number | null;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  absolute_expires_at: number;
  user_agent: string | null;
  ip: string | null;
}

interface RefreshRow {
  token_hash: string;
  session_id: string;
  user_id: string;
  expires_at: number;
}

const toSession = (row: SessionRow): Session => ({
  id: row.id,
  userId: row.user_id,
  currentTokenHash: row.current_token_hash,
  previousTokenHash: row.previous_token_hash,
  rotatedAt: row.rotated_at === null ? null : new Date(row.rotated_at),
  createdAt: new Date(row.created_at),
  lastUsedAt: new Date(row.last_used_at),
  expiresAt: new Date(row.expires_at),
  absoluteExpiresAt: new Date(row.absolute_expires_at),
  userAgent: row.user_agent,
  ip: row.ip,
});

const LIVE = 'expires_at > @now AND absolute_expires_at > @now';

export class SqliteSessionsRepository extends SessionsRepository {
  private readonly statements;
  private readonly createTx;
  private readonly rotateTx;
  private readonly revokeTx;
  private readonly revokeAllTx;
  private readonly evictTx;

  constructor(db: SqliteDatabase) {
    super();
    const s = (this.statements = {
      insertSession: db.prepare(
        `INSERT INTO sessions (id, user_id, current_token_hash, previous_token_hash, rotated_at, created_at,
           last_used_at, expires_at, absolute_expires_at, user_agent, ip)
         VALUES (@id, @userId, @currentTokenHash, @previousTokenHash, @rotatedAt, @createdAt,
           @lastUsedAt, @expiresAt, @absoluteExpiresAt, @userAgent, @ip)`,
      ),
      insertRecord: db.prepare(
        `INSERT INTO refresh_tokens (token_hash, session_id, user_id, expires_at)
         VALUES (@tokenHash, @sessionId, @userId, @expiresAt) ON CONFLICT (token_hash) DO NOTHING`,
      ),
      findLive: db.prepare<{ id: string; now: number }, SessionRow>(`SELECT * FROM sessions WHERE id = @id AND ${LIVE}`),
      listLive: db.prepare<{ userId: string; now: number }, SessionRow>(
        `SELECT * FROM sessions WHERE user_id = @userId AND ${LIVE} ORDER BY created_at, id`,
      ),
      findRecord: db.prepare<[string], RefreshRow>('SELECT * FROM refresh_tokens WHERE token_hash = ?'),
      rotate: db.prepare<{ sessionId: string; fromHash: string; toHash: string; at: number; expiresAt: number }>(
        `UPDATE sessions SET current_token_hash = @toHash, previous_token_hash = @fromHash, rotated_at = @at,
           last_used_at = @at, expires_at = @expiresAt
         WHERE id = @sessionId AND current_token_hash = @fromHash`,
      ),
      deleteSession: db.prepare<{ id: string; userId: string }>('DELETE FROM sessions WHERE id = @id AND user_id = @userId'),
      deleteRecords: db.prepare<[string]>('DELETE FROM refresh_tokens WHERE session_id = ?'),
      userSessionIds: db.prepare<[string], { id: string }>('SELECT id FROM sessions WHERE user_id = ?'),
      deleteExpiredSessions: db.prepare<{ now: number }>('DELETE FROM sessions WHERE expires_at <= @now OR absolute_expires_at <= @now'),
      deleteExpiredRecords: db.prepare<[number]>('DELETE FROM refresh_tokens WHERE expires_at <= ?'),
    });

    this.createTx = db.transaction((session: Session) => {
      s.insertSession.run(sessionParams(session));
      s.insertRecord.run({
        tokenHash: session.currentTokenHash,
        sessionId: session.id,
        userId: session.userId,
        expiresAt: session.expiresAt.getTime(),
      });
    });
    // One transaction: the successor's record and the compare-and-set commit together.
    this.rotateTx = db.transaction((rotation: Rotation) => {
      s.insertRecord.run({ tokenHash: rotation.toHash, sessionId: rotation.sessionId, userId: rotation.userId, expiresAt: rotation.expiresAt.getTime() });
      return s.rotate.run({ ...rotation, at: rotation.at.getTime(), expiresAt: rotation.expiresAt.getTime() }).changes === 1;
    });
    this.revokeTx = db.transaction((userId: string, sessionId: string) => {
      const { changes } = s.deleteSession.run({ id: sessionId, userId });
      if (changes > 0) s.deleteRecords.run(sessionId);
      return changes > 0;
    });
    this.revokeAllTx = db.transaction((userId: string, keep: string | undefined) => {
      const ids = s.userSessionIds.all(userId).map((row) => row.id).filter((id) => id !== keep);
      for (const id of ids) this.revokeTx(userId, id);
      return ids.length;
    });
    this.evictTx = db.transaction((userId: string, keep: number, now: number) => {
      const live = s.listLive.all({ userId, now });
      const evicted = live.slice(0, Math.max(0, live.length - keep)).map((row) => row.id);
      for (const id of evicted) this.revokeTx(userId, id);
      return evicted;
    });
  }

  async create(session: Session): Promise<void> {
    sqlite(() => this.createTx(session));
  }

  async findLive(sessionId: string, now: Date): Promise<Session | null> {
    const row = sqlite(() => this.statements.findLive.get({ id: sessionId, now: now.getTime() }));
    return row ? toSession(row) : null;
  }

  async listLive(userId: string, now: Date): Promise<Session[]> {
    return sqlite(() => this.statements.listLive.all({ userId, now: now.getTime() })).map(toSession);
  }

  async findRefreshRecord(tokenHash: string): Promise<RefreshRecord | null> {
    const row = sqlite(() => this.statements.findRecord.get(tokenHash));
    return row
      ? { tokenHash: row.token_hash, sessionId: row.session_id, userId: row.user_id, expiresAt: new Date(row.expires_at) }
      : null;
  }

  async rotate(rotation: Rotation): Promise<boolean> {
    return sqlite(() => this.rotateTx(rotation));
  }

  async revoke(userId: string, sessionId: string): Promise<boolean> {
    return sqlite(() => this.revokeTx(userId, sessionId));
  }

  async revokeAll(userId: string, keepSessionId?: string): Promise<number> {
    return sqlite(() => this.revokeAllTx(userId, keepSessionId));
  }

  async evictOldest(userId: string, keep: number, now: Date): Promise<string[]> {
    return sqlite(() => this.evictTx(userId, keep, now.getTime()));
  }

  async purgeExpired(now: Date): Promise<void> {
    sqlite(() => {
      this.statements.deleteExpiredSessions.run({ now: now.getTime() });
      this.statements.deleteExpiredRecords.run(now.getTime());
    });
  }
}

function sessionParams(session: Session) {
  return {
    ...session,
    rotatedAt: session.rotatedAt?.getTime() ?? null,
    createdAt: session.createdAt.getTime(),
    lastUsedAt: session.lastUsedAt.getTime(),
    expiresAt: session.expiresAt.getTime(),
    absoluteExpiresAt: session.absoluteExpiresAt.getTime(),
  };
}
