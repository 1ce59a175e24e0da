import mongoose from 'mongoose';
import { randomUUID } from 'node:crypto';
import { byVerifiedEmail } from '../../src/storage/mongo/mongo-users.repository';
import { UserDocument, UserSchema } from '../../src/storage/mongo/user.schema';
import { Store } from '../../src/storage/store';
import { emailKey } from '../../src/users/email';
import { serverVersionSync } from '../support/mongo';
import { mongoUnderTest, saySkipped } from '../support/stores';

/** Why the plans cannot be checked here, if they cannot: explain() needs a real server. */
function whyNot(): string | undefined {
  const mongo = mongoUnderTest();
  if (mongo.skipped) return mongo.skipped;
  const label = process.env.MONGODB_LABEL ?? '';
  if (/emulator/i.test(label)) return `MONGODB_URI points at ${label}, which has no explain() (docs/testing.md, "Tests against MongoDB")`;
  const version = serverVersionSync(process.env.MONGODB_URI!);
  if (version.endsWith('-emulator')) return `MONGODB_URI points at the mongo-emulator (buildInfo ${version}), which has no explain()`;
  return undefined;
}

const skipped = whyNot();
if (skipped) saySkipped('MongoDB query-plan check', skipped);

/** What explain('queryPlanner') answers for a find, as far as this test reads it. */
interface Explained {
  queryPlanner?: { winningPlan?: unknown };
}

/** Every stage of a plan tree, whatever shaped it (classic or slot-based engine, shards). */
function stagesOf(plan: unknown): { stage: string; indexName?: string }[] {
  if (!plan || typeof plan !== 'object') return [];
  const node = plan as Record<string, unknown>;
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  const children = [node.queryPlan, node.inputStage, node.winningPlan, ...list(node.inputStages), ...list(node.shards)];
  const own = typeof node.stage === 'string' ? [{ stage: node.stage, indexName: node.indexName as string | undefined }] : [];
  return [...own, ...children.flatMap(stagesOf)];
}

/**
 * The reset-by-address lookup on a real MongoDB: its filter must let the planner use the partial
 * unique index on `emailKey`, not scan every user (a partial index serves only queries whose
 * filter implies the index's filter expression).
 */
(skipped ? describe.skip : describe)(`MongoDB query plans${skipped ? ` (SKIPPED: ${skipped})` : ''}`, () => {
  const mongo = mongoUnderTest();
  const env = mongo.store?.freshEnv() ?? {};
  let store: Store;
  let connection: mongoose.Connection;

  beforeAll(async () => {
    store = await mongo.store!.open(env); // builds the indexes
    connection = await mongoose.createConnection(env.MONGODB_URI!, { serverSelectionTimeoutMS: 5000 }).asPromise();
  });
  afterAll(async () => {
    await connection?.close();
    await store?.close();
    await mongo.store?.dispose(env);
  });

  it('finds a user by verified address through the partial unique index on emailKey', async () => {
    const now = new Date();
    for (let i = 0; i < 20; i++) {
      const id = randomUUID();
      await store.users.create({ id, username: `u${i}${randomUUID().slice(0, 8)}`, name: 'N', passwordHash: 'h', email: `user${i}@example.org`, createdAt: now });
      if (i % 2 === 0) await store.users.markEmailVerified(id, `user${i}@example.org`, now);
    }
    expect((await store.users.findByVerifiedEmail('USER4@example.org'))?.email).toBe('user4@example.org');

    const users = connection.model(UserDocument.name, UserSchema);
    const explained = (await users.find(byVerifiedEmail(emailKey('user4@example.org'))).explain('queryPlanner')) as unknown as Explained | Explained[];
    const stages = stagesOf((Array.isArray(explained) ? explained[0] : explained)?.queryPlanner?.winningPlan);
    // IXSCAN, or EXPRESS_IXSCAN where the server takes its express path for a point query.
    expect(stages.filter((s) => s.stage.endsWith('IXSCAN')).map((s) => s.indexName)).toContain('emailKey_1');
    expect(stages.map((s) => s.stage)).not.toContain('COLLSCAN');
  });
});
