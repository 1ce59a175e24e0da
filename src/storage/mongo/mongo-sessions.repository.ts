import mongoose, { type Model } from 'mongoose';
import { RefreshRecord, Rotation, Session } from '../../sessions/session';
import { SessionsRepository } from '../../sessions/sessions.repository';
import { MongoLink } from './mongo-link';
import { DUPLICATE_KEY } from './mongo-errors';
import { insertChecked } from './mongo-insert';
import { RefreshTokenDocument } from './refresh-token.schema';
import { SessionDocument } from './session.schema';

const toSession = (doc: SessionDocument): Session => ({
  id: doc._id,
  userId: doc.userId,
  currentTokenHash: doc.currentTokenHash,
  previousTokenHash: doc.previousTokenHash ?? null,
  rotatedAt: doc.rotatedAt ?? null,
  createdAt: doc.createdAt,
  lastUsedAt: doc.lastUsedAt,
  expiresAt: doc.expiresAt,
  absoluteExpiresAt: doc.absoluteExpiresAt,
  userAgent: doc.userAgent ?? null,
  ip: doc.ip ?? null,
});

/**
 * Live at `now`: both expiries still ahead. The TTL index deletes expired sessions, but its
 * monitor runs only about once a minute, so reads must not rely on it. The operators are ours,
 * hence trusted() past the connection's sanitizeFilter.
 */
const liveAt = (now: Date) => ({
  expiresAt: mongoose.trusted({ $gt: now }),
  absoluteExpiresAt: mongoose.trusted({ $gt: now }),
});

const oneOf = (ids: string[]) => mongoose.trusted({ $in: ids });

/**
 * Sessions and refresh records. A standalone mongod has no multi-document transactions, so
 * writes that touch both collections are ordered so that an interruption leaves only harmless
 * leftovers: a refresh record whose session is gone (refresh answers "session ended", and the
 * TTL index removes the record), never a live session in a half-written state. Every write is
 * acknowledged by a majority (see connectOptions), so a failover cannot roll back the session's
 * half of a rotation and keep the record's: that would make the client's new token a replay.
 */
export class MongoSessionsRepository extends SessionsRepository {
  constructor(
    private readonly sessions: Model<SessionDocument>,
    private readonly records: Model<RefreshTokenDocument>,
    private readonly link: MongoLink,
  ) {
    super();
  }

  async create(session: Session): Promise<void> {
    const { id, ...fields } = session;
    await this.link.run(async () => {
      await this.insertRecord({ tokenHash: session.currentTokenHash, sessionId: id, userId: session.userId, expiresAt: session.expiresAt });
      await insertChecked(this.sessions, { _id: id, ...fields }, this.link.msLeft());
    });
  }

  async findLive(sessionId: string, now: Date): Promise<Session | null> {
    const doc = await this.link.run(() =>
      this.sessions.findOne({ _id: sessionId, ...liveAt(now) }).maxTimeMS(this.link.msLeft()).lean<SessionDocument>().exec(),
    );
    return doc ? toSession(doc) : null;
  }

  async listLive(userId: string, now: Date): Promise<Session[]> {
    const docs = await this.link.run(() =>
      this.sessions.find({ userId, ...liveAt(now) }).sort({ createdAt: 1, _id: 1 }).maxTimeMS(this.link.msLeft()).lean<SessionDocument[]>().exec(),
    );
    return docs.map(toSession);
  }

  async findRefreshRecord(tokenHash: string): Promise<RefreshRecord | null> {
    const doc = await this.link.run(() => this.records.findById(tokenHash).maxTimeMS(this.link.msLeft()).lean<RefreshTokenDocument>().exec());
    return doc ? { tokenHash: doc._id, sessionId: doc.sessionId, userId: doc.userId, expiresAt: doc.expiresAt } : null;
  }

  /**
   * The successor's record first (no transaction spans the two collections), then one
   * conditional update, which is the whole decision: MongoDB applies it atomically to the one
   * document, so of several concurrent rotations from the same token exactly one matches.
   */
  async rotate({ sessionId, userId, fromHash, toHash, at, expiresAt }: Rotation): Promise<boolean> {
    const won = await this.link.run(async () => {
      await this.insertRecord({ tokenHash: toHash, sessionId, userId, expiresAt });
      return this.sessions
        .findOneAndUpdate(
          { _id: sessionId, currentTokenHash: fromHash },
          { $set: { currentTokenHash: toHash, previousTokenHash: fromHash, rotatedAt: at, lastUsedAt: at, expiresAt } },
          { projection: { _id: 1 }, maxTimeMS: this.link.msLeft() },
        )
        .lean()
        .exec();
    });
    return won !== null;
  }

  async revoke(userId: string, sessionId: string): Promise<boolean> {
    return this.link.run(async () => {
      // The owner is part of the filter: someone else's session id deletes nothing.
      const { deletedCount } = await this.sessions.deleteOne({ _id: sessionId, userId }).maxTimeMS(this.link.msLeft()).exec();
      if (deletedCount > 0) await this.records.deleteMany({ sessionId }).maxTimeMS(this.link.msLeft()).exec();
      return deletedCount > 0;
    });
  }

  async revokeAll(userId: string, keepSessionId?: string): Promise<number> {
    return this.link.run(async () => {
      const owned = await this.sessions.find({ userId }, { _id: 1 }).maxTimeMS(this.link.msLeft()).lean<{ _id: string }[]>().exec();
      const ids = owned.map((doc) => doc._id).filter((id) => id !== keepSessionId);
      return this.deleteSessions(userId, ids);
    });
  }

  async evictOldest(userId: string, keep: number, now: Date): Promise<string[]> {
    return this.link.run(async () => {
      const live = await this.sessions
        .find({ userId, ...liveAt(now) }, { _id: 1 })
        .sort({ createdAt: 1, _id: 1 })
        .maxTimeMS(this.link.msLeft())
        .lean<{ _id: string }[]>()
        .exec();
      const evicted = live.slice(0, Math.max(0, live.length - keep)).map((doc) => doc._id);
      await this.deleteSessions(userId, evicted);
      return evicted;
    });
  }

  /** Nothing to do: the TTL indexes on `expiresAt` make MongoDB delete expired documents itself. */
  async purgeExpired(): Promise<void> {}

  /** Deletes these sessions of the user (by id, so a login made meanwhile survives) and their records. */
  private async deleteSessions(userId: string, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { deletedCount } = await this.sessions.deleteMany({ _id: oneOf(ids), userId }).maxTimeMS(this.link.msLeft()).exec();
    await this.records.deleteMany({ sessionId: oneOf(ids) }).maxTimeMS(this.link.msLeft()).exec();
    return deletedCount;
  }

  /** Insert-or-ignore on the hash: a successor is derived deterministically, so a second save of it is a no-op. */
  private async insertRecord(record: RefreshRecord): Promise<void> {
    try {
      const doc = { _id: record.tokenHash, sessionId: record.sessionId, userId: record.userId, expiresAt: record.expiresAt };
      await insertChecked(this.records, doc, this.link.msLeft());
    } catch (error) {
      if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
    }
  }
}
