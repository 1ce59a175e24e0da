import { UnauthorizedException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hashRefreshToken } from '../../src/auth/tokens/refresh-tokens';
import { ClientInfo } from '../../src/common/client';
import { loadAppConfig } from '../../src/config/app-config';
import { LiveSessions } from '../../src/sessions/live-sessions';
import { SessionsService } from '../../src/sessions/sessions.service';
import { describeOnEachStore, freshStoreFor } from '../support/stores';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const client: ClientInfo = { ip: '127.0.0.1', userAgent: 'jest' };

/**
 * The session rules of SessionsService (rotation, grace, theft, idle and absolute expiry, the
 * per-user cap) driven by an explicit clock on a real store: no sleeping, every instant chosen.
 * Windows: REFRESH_TTL 1 h, SESSION_MAX_AGE 3 h, REFRESH_REUSE_GRACE 10 s, 3 sessions a user.
 */
describeOnEachStore('session rules with an injected clock', (kind) => {
  const fresh = freshStoreFor(kind);
  let sessions: SessionsService;
  beforeAll(() => {
    const config = loadAppConfig({
      ...fresh.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REFRESH_TTL: '1h',
      SESSION_MAX_AGE: '3h',
      REFRESH_REUSE_GRACE: '10s',
      MAX_SESSIONS_PER_USER: '3',
    });
    sessions = new SessionsService(fresh.store.sessions, config, new LiveSessions(config));
  });

  const t0 = new Date('2026-11-30T08:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const begin = () => sessions.start(randomUUID(), client, t0);
  /** The refresh record of `token` as the refresh strategy would find it, then a rotation at `now`. */
  const rotate = async (token: string, now: Date) => {
    const record = await fresh.store.sessions.findRefreshRecord(hashRefreshToken(token));
    if (!record) throw new Error('no record');
    return sessions.rotate(record, token, client, now);
  };
  const isUnauthorized = (promise: Promise<unknown>) => expect(promise).rejects.toBeInstanceOf(UnauthorizedException);

  it('starts a session whose idle expiry is REFRESH_TTL and absolute expiry SESSION_MAX_AGE', async () => {
    const { session } = await begin();
    expect(session.expiresAt).toEqual(at(HOUR));
    expect(session.absoluteExpiresAt).toEqual(at(3 * HOUR));
    expect(await sessions.isLive(session.id, session.userId, at(HOUR - 1))).toBe(true);
    expect(await sessions.isLive(session.id, session.userId, at(HOUR))).toBe(false);
  });

  it('rotates the current token: the successor works, the idle expiry slides from the rotation', async () => {
    const { session, refreshToken } = await begin();
    const rotated = await rotate(refreshToken, at(50 * MINUTE));
    expect(rotated.refreshToken).not.toBe(refreshToken);
    expect(rotated.session.expiresAt).toEqual(at(110 * MINUTE));
    expect(await sessions.isLive(session.id, session.userId, at(100 * MINUTE))).toBe(true);
    expect((await rotate(rotated.refreshToken, at(100 * MINUTE))).session.expiresAt).toEqual(at(160 * MINUTE));
  });

  it('never extends a session past SESSION_MAX_AGE, in the session or in the successor’s record', async () => {
    const { refreshToken } = await begin();
    let token = refreshToken;
    for (const minute of [50, 100, 150]) token = (await rotate(token, at(minute * MINUTE))).refreshToken;
    const last = await rotate(token, at(170 * MINUTE)); // idle expiry would be 3 h 50 min
    expect(last.session.expiresAt).toEqual(at(3 * HOUR));
    const record = await fresh.store.sessions.findRefreshRecord(hashRefreshToken(last.refreshToken));
    expect(record?.expiresAt).toEqual(at(3 * HOUR));
    const stored = await fresh.store.sessions.findLive(last.session.id, at(170 * MINUTE));
    expect(stored?.expiresAt).toEqual(at(3 * HOUR));
    expect(await sessions.isLive(last.session.id, last.session.userId, at(3 * HOUR))).toBe(false);
    await isUnauthorized(rotate(last.refreshToken, at(3 * HOUR + 1)));
  });

  it('gives the previous token the same successor inside the grace window (tabs refreshing at once)', async () => {
    const { refreshToken } = await begin();
    const first = await rotate(refreshToken, at(MINUTE));
    const again = await rotate(refreshToken, at(MINUTE + 9_999));
    expect(again.refreshToken).toBe(first.refreshToken);
  });

  it('treats the previous token after the grace window as theft and revokes the session', async () => {
    const { session, refreshToken } = await begin();
    const first = await rotate(refreshToken, at(MINUTE));
    await isUnauthorized(rotate(refreshToken, at(MINUTE + 10_000)));
    expect(await sessions.isLive(session.id, session.userId, at(MINUTE + 10_001))).toBe(false);
    // Revoked with every record: the successor the thief or the owner holds refreshes nothing either.
    expect(await fresh.store.sessions.findRefreshRecord(hashRefreshToken(first.refreshToken))).toBeNull();
  });

  it('treats a token older than the previous one as theft, even inside the grace window', async () => {
    const { session, refreshToken } = await begin();
    const first = await rotate(refreshToken, at(MINUTE));
    await rotate(first.refreshToken, at(MINUTE + 1_000));
    await isUnauthorized(rotate(refreshToken, at(MINUTE + 2_000)));
    expect(await sessions.isLive(session.id, session.userId, at(MINUTE + 2_001))).toBe(false);
  });

  it('refuses to rotate a session that has idled out', async () => {
    const { refreshToken } = await begin();
    await isUnauthorized(rotate(refreshToken, at(HOUR)));
  });

  it('keeps at most MAX_SESSIONS_PER_USER live sessions, evicting the oldest', async () => {
    const userId = randomUUID();
    const started = [];
    for (let i = 0; i < 4; i++) started.push(await sessions.start(userId, client, at(i * MINUTE)));
    const live = await sessions.listLive(userId, at(4 * MINUTE));
    expect(live.map((s) => s.id).sort()).toEqual(started.slice(1).map((s) => s.session.id).sort());
    expect(await sessions.isLive(started[0].session.id, userId, at(4 * MINUTE))).toBe(false);
  });
});
