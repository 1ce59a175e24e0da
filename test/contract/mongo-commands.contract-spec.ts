import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session } from '../../src/sessions/session';
import { OPERATION_BUDGET_MS } from '../../src/storage/mongo/mongo-options';
import { Store } from '../../src/storage/store';
import { mongoUnderTest, saySkipped } from '../support/stores';

/** One line of the emulator's --command-log: what one command asked MongoDB for. */
interface LoggedCommand {
  cmd: string;
  db: string;
  collection?: string;
  ok: number;
  writeConcern?: { w?: unknown; j?: unknown };
  readConcern?: { level?: string };
  $readPreference?: { mode?: string };
  maxTimeMS?: number;
}

/** The store's collections: every command on them is checked. */
const COLLECTIONS = ['users', 'sessions', 'refresh_tokens', 'one_time_tokens', 'counters', 'totp_factors', 'recovery_codes', 'pending_sign_ins', 'remembered_devices'];
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);
/** Built once at start on a connection of its own, deliberately without a time limit (see indexBuildOptions). */
const UNLIMITED = new Set(['createIndexes']);

const mongo = mongoUnderTest();
const log = process.env.MONGO_COMMAND_LOG;
const skipped = mongo.skipped ?? (log ? undefined : 'MONGO_COMMAND_LOG is not set: only the emulator logs what each command asks for (scripts/with-mongo-emulator.sh sets it); against a real server, use its profiler');
if (skipped) saySkipped('MongoDB command options check', skipped);

/**
 * What the adapter asks MongoDB for, read back from the emulator's log of every command (the
 * emulator ignores these options, a real replica set acts on them): every write on our
 * collections with `w: "majority"` and the journal, every command with a server-side time limit
 * within the operation's budget, every read from the primary at read concern "local".
 */
(skipped ? describe.skip : describe)(`MongoDB command options${skipped ? ` (SKIPPED: ${skipped})` : ''}`, () => {
  let store: Store;
  let database: string;
  const env = mongo.store?.freshEnv() ?? {};

  beforeAll(async () => {
    database = new URL(env.MONGODB_URI!).pathname.slice(1);
    store = await mongo.store!.open(env);
    await everyOperation(store);
  });
  afterAll(async () => {
    await store?.close();
    await mongo.store?.dispose(env);
  });

  const ours = () =>
    readFileSync(log!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LoggedCommand)
      .filter((entry) => entry.db === database && COLLECTIONS.includes(entry.collection ?? ''));
  const describeEntry = (entry: LoggedCommand) => `${entry.cmd} on ${entry.collection}`;

  it('saw every collection and every kind of command (so the checks below are not vacuous)', () => {
    const seen = ours();
    expect(new Set(seen.map((entry) => entry.collection))).toEqual(new Set(COLLECTIONS));
    expect(new Set(seen.map((entry) => entry.cmd))).toEqual(new Set(['createIndexes', 'insert', 'update', 'delete', 'findAndModify', 'find', 'aggregate']));
  });

  it('writes with w: "majority" and the journal, every time', () => {
    const weak = ours()
      .filter((entry) => WRITES.has(entry.cmd) && !(entry.writeConcern?.w === 'majority' && entry.writeConcern?.j === true))
      .map((entry) => `${describeEntry(entry)} with writeConcern ${JSON.stringify(entry.writeConcern ?? null)}`);
    expect(weak).toEqual([]);
  });

  it('gives every command a server-side time limit within the operation budget', () => {
    const unlimited = ours()
      .filter((entry) => !UNLIMITED.has(entry.cmd))
      .filter((entry) => !(typeof entry.maxTimeMS === 'number' && entry.maxTimeMS > 0 && entry.maxTimeMS <= OPERATION_BUDGET_MS))
      .map((entry) => `${describeEntry(entry)} with maxTimeMS ${JSON.stringify(entry.maxTimeMS ?? null)}`);
    expect(unlimited).toEqual([]);
  });

  it('reads from the primary, at read concern "local"', () => {
    const elsewhere = ours()
      .filter((entry) => !WRITES.has(entry.cmd) && !UNLIMITED.has(entry.cmd))
      // The driver sends no $readPreference for "primary" (and none at all to a standalone server).
      .filter((entry) => (entry.$readPreference && entry.$readPreference.mode !== 'primary') || entry.readConcern?.level !== 'local')
      .map((entry) => `${describeEntry(entry)} with ${JSON.stringify({ readConcern: entry.readConcern, $readPreference: entry.$readPreference })}`);
    expect(elsewhere).toEqual([]);
  });
});

/** Calls every method of every port once or more, the counters' duplicate-key path included. */
async function everyOperation(store: Store): Promise<void> {
  const now = new Date();
  const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
  const hash = () => createHash('sha256').update(randomBytes(32)).digest('base64url');

  const userId = randomUUID();
  await store.users.create({ id: userId, username: `u${randomUUID().slice(0, 8)}`, name: 'N', passwordHash: 'h', email: 'a@example.org', createdAt: now });
  await store.users.findById(userId);
  await store.users.findByUsername('nobody');
  await store.users.list({ offset: 0, limit: 10 });
  await store.users.update(userId, { name: 'M', updatedAt: now });
  await store.users.markEmailVerified(userId, 'a@example.org', now);
  await store.users.findByVerifiedEmail('a@example.org');
  await store.users.changeEmail(userId, 'b@example.org', now);

  const session = (overrides: Partial<Session> = {}): Session => ({
    id: randomUUID(),
    userId,
    currentTokenHash: hash(),
    previousTokenHash: null,
    rotatedAt: null,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: later(60),
    absoluteExpiresAt: later(600),
    userAgent: null,
    ip: null,
    ...overrides,
  });
  const [first, second, third] = [session(), session({ createdAt: later(1) }), session({ createdAt: later(2) })];
  for (const s of [first, second, third]) await store.sessions.create(s);
  await store.sessions.findLive(first.id, now);
  await store.sessions.listLive(userId, now);
  await store.sessions.findRefreshRecord(first.currentTokenHash);
  const rotation = { sessionId: first.id, userId, fromHash: first.currentTokenHash, toHash: hash(), at: now, expiresAt: later(60) };
  await store.sessions.rotate(rotation);
  await store.sessions.rotate(rotation); // the successor's record again: a duplicate key, ignored
  await store.sessions.evictOldest(userId, 2, now);
  await store.sessions.revoke(userId, second.id);
  await store.sessions.revokeAll(userId);
  await store.sessions.purgeExpired(now);

  const token = { tokenHash: hash(), purpose: 'password_reset' as const, userId, email: 'b@example.org', expiresAt: later(30) };
  await store.oneTimeTokens.issue(token);
  await store.oneTimeTokens.find('password_reset', token.tokenHash, now);
  await store.oneTimeTokens.consume('password_reset', token.tokenHash, now);
  await store.oneTimeTokens.revoke(userId, ['password_reset']);
  await store.oneTimeTokens.revoke(userId);

  const secret = { keyId: 'k', sealed: hash() };
  await store.secondFactors.startTotp(userId, secret, now);
  await store.secondFactors.startTotp(userId, secret, now);
  await store.secondFactors.findTotp(userId);
  await store.secondFactors.confirmTotp(userId, 1);
  await store.secondFactors.startTotp(userId, secret, now); // confirmed: the upsert's duplicate key, refused
  await store.secondFactors.useTotpStep(userId, 2);
  await store.secondFactors.resealTotp(userId, secret);
  await store.secondFactors.replaceRecoveryCodes(userId, [hash(), hash()]);
  await store.secondFactors.useRecoveryCode(userId, hash());
  await store.secondFactors.countRecoveryCodes(userId);
  await store.secondFactors.summary(userId);
  const pendingHash = hash();
  await store.secondFactors.startPending(pendingHash, { userId, failures: 0, expiresAt: later(5) });
  await store.secondFactors.findPending(pendingHash, now);
  await store.secondFactors.failPending(pendingHash, 1, now);
  await store.secondFactors.startPending(pendingHash, { userId, failures: 0, expiresAt: later(5) });
  await store.secondFactors.consumePending(pendingHash, now);
  await store.secondFactors.rememberDevice(userId, { deviceId: 'd', createdAt: now, expiresAt: later(60) });
  await store.secondFactors.isRemembered(userId, 'd', now);
  await store.secondFactors.listRemembered(userId, now);
  await store.secondFactors.forgetDevices(userId);
  await store.secondFactors.removeTotp(userId);

  const counter = store.counters.counter({ name: 'cmdlog', points: 1, windowSeconds: 1 });
  await counter.take('k');
  await counter.giveBack('k');
  await counter.take('k');
  await sleep(1100); // expired, still stored: the next take goes through the duplicate-key path
  await Promise.all([counter.take('k'), counter.take('k')]);
  await counter.reset('k');

  await store.health.ping();
  await store.users.delete(userId);
}
