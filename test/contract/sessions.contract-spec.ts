import { randomUUID } from 'node:crypto';
import { Session } from '../../src/sessions/session';
import { DuplicateKeyError } from '../../src/storage/storage.errors';
import { describeOnEachStore, freshStoreFor } from '../support/stores';

const MINUTE = 60_000;

/** The SessionsRepository port, run unchanged against every adapter on a real store. */
describeOnEachStore('SessionsRepository contract', (kind) => {
  const fresh = freshStoreFor(kind);

  const now = new Date();
  const at = (minutes: number) => new Date(now.getTime() + minutes * MINUTE);
  const hash = () => randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '').slice(0, 11);
  const newSession = (overrides: Partial<Session> = {}): Session => ({
    id: randomUUID(),
    userId: randomUUID(),
    currentTokenHash: hash(),
    previousTokenHash: null,
    rotatedAt: null,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: at(60),
    absoluteExpiresAt: at(600),
    userAgent: 'jest',
    ip: '127.0.0.1',
    ...overrides,
  });

  it('creates a session with the refresh record of its first token', async () => {
    const session = newSession();
    await fresh.store.sessions.create(session);
    expect(await fresh.store.sessions.findLive(session.id, now)).toEqual(session);
    expect(await fresh.store.sessions.findRefreshRecord(session.currentTokenHash)).toEqual({
      tokenHash: session.currentTokenHash,
      sessionId: session.id,
      userId: session.userId,
      expiresAt: session.expiresAt,
    });
    expect(await fresh.store.sessions.findRefreshRecord(hash())).toBeNull();
  });

  it('refuses a second session on the same current token hash, naming the field', async () => {
    const session = newSession();
    await fresh.store.sessions.create(session);
    const error = await fresh.store.sessions.create(newSession({ currentTokenHash: session.currentTokenHash })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateKeyError);
    expect((error as DuplicateKeyError).field).toBe('currentTokenHash');
  });

  it('does not find a session past its idle or its absolute expiry', async () => {
    const idle = newSession({ expiresAt: at(-1) });
    const absolute = newSession({ expiresAt: at(10), absoluteExpiresAt: at(-1) });
    await fresh.store.sessions.create(idle);
    await fresh.store.sessions.create(absolute);
    expect(await fresh.store.sessions.findLive(idle.id, now)).toBeNull();
    expect(await fresh.store.sessions.findLive(absolute.id, now)).toBeNull();
    expect(await fresh.store.sessions.findLive(randomUUID(), now)).toBeNull();
  });

  it('rotates by compare-and-set: exactly one of several concurrent rotations wins', async () => {
    const session = newSession();
    await fresh.store.sessions.create(session);
    const next = hash();
    const rotation = { sessionId: session.id, userId: session.userId, fromHash: session.currentTokenHash, toHash: next, at: at(1), expiresAt: at(61) };
    const results = await Promise.all(Array.from({ length: 8 }, () => fresh.store.sessions.rotate(rotation)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await fresh.store.sessions.findLive(session.id, now)).toEqual({
      ...session,
      currentTokenHash: next,
      previousTokenHash: session.currentTokenHash,
      rotatedAt: at(1),
      lastUsedAt: at(1),
      expiresAt: at(61),
    });
    expect(await fresh.store.sessions.rotate(rotation)).toBe(false);
  });

  it('stores the successor’s refresh record with the rotation, once, and keeps the retired one', async () => {
    const session = newSession();
    await fresh.store.sessions.create(session);
    const next = hash();
    const rotation = { sessionId: session.id, userId: session.userId, fromHash: session.currentTokenHash, toHash: next, at: at(1), expiresAt: at(30) };
    expect(await fresh.store.sessions.rotate(rotation)).toBe(true);
    await expect(fresh.store.sessions.rotate(rotation)).resolves.toBe(false); // same successor again: no duplicate-key error
    expect(await fresh.store.sessions.findRefreshRecord(next)).toEqual({ tokenHash: next, sessionId: session.id, userId: session.userId, expiresAt: at(30) });
    expect(await fresh.store.sessions.findRefreshRecord(session.currentTokenHash)).toEqual(
      expect.objectContaining({ sessionId: session.id, expiresAt: session.expiresAt }),
    );
  });

  it('lists a user’s live sessions oldest first', async () => {
    const userId = randomUUID();
    const older = newSession({ userId, createdAt: at(-3) });
    const newer = newSession({ userId, createdAt: at(-2) });
    const expired = newSession({ userId, createdAt: at(-1), expiresAt: at(-1) });
    for (const s of [newer, expired, older]) await fresh.store.sessions.create(s);
    expect((await fresh.store.sessions.listLive(userId, now)).map((s) => s.id)).toEqual([older.id, newer.id]);
  });

  it('revokes a session with its records, only for its own user', async () => {
    const session = newSession();
    await fresh.store.sessions.create(session);
    const successor = hash();
    await fresh.store.sessions.rotate({ sessionId: session.id, userId: session.userId, fromHash: session.currentTokenHash, toHash: successor, at: at(1), expiresAt: at(30) });
    expect(await fresh.store.sessions.revoke(randomUUID(), session.id)).toBe(false);
    expect(await fresh.store.sessions.findLive(session.id, now)).not.toBeNull();
    expect(await fresh.store.sessions.revoke(session.userId, session.id)).toBe(true);
    expect(await fresh.store.sessions.findLive(session.id, now)).toBeNull();
    expect(await fresh.store.sessions.findRefreshRecord(session.currentTokenHash)).toBeNull(); // retired
    expect(await fresh.store.sessions.findRefreshRecord(successor)).toBeNull(); // current
    expect(await fresh.store.sessions.revoke(session.userId, session.id)).toBe(false);
  });

  it('revokes all of a user’s sessions, optionally keeping one', async () => {
    const userId = randomUUID();
    const [a, b, c] = [newSession({ userId }), newSession({ userId }), newSession({ userId })];
    const stranger = newSession();
    for (const s of [a, b, c, stranger]) await fresh.store.sessions.create(s);
    expect(await fresh.store.sessions.revokeAll(userId, b.id)).toBe(2);
    expect((await fresh.store.sessions.listLive(userId, now)).map((s) => s.id)).toEqual([b.id]);
    expect(await fresh.store.sessions.revokeAll(userId)).toBe(1);
    expect(await fresh.store.sessions.listLive(userId, now)).toEqual([]);
    expect(await fresh.store.sessions.findLive(stranger.id, now)).not.toBeNull();
  });

  it('evicts the oldest live sessions beyond a limit and names them', async () => {
    const userId = randomUUID();
    const sessions = [-4, -3, -2, -1].map((m) => newSession({ userId, createdAt: at(m) }));
    for (const s of sessions) await fresh.store.sessions.create(s);
    const evicted = await fresh.store.sessions.evictOldest(userId, 2, now);
    expect(evicted).toEqual([sessions[0].id, sessions[1].id]);
    expect((await fresh.store.sessions.listLive(userId, now)).map((s) => s.id)).toEqual([sessions[2].id, sessions[3].id]);
    expect(await fresh.store.sessions.evictOldest(userId, 2, now)).toEqual([]);
  });

  it('purges expired sessions and records without touching live ones', async () => {
    const live = newSession();
    const dead = newSession({ expiresAt: at(-5) });
    await fresh.store.sessions.create(live);
    await fresh.store.sessions.create(dead);
    await fresh.store.sessions.purgeExpired(now);
    expect(await fresh.store.sessions.findLive(live.id, now)).toEqual(live);
    expect(await fresh.store.sessions.findRefreshRecord(live.currentTokenHash)).not.toBeNull();
    expect(await fresh.store.sessions.findLive(dead.id, now)).toBeNull();
  });
});
