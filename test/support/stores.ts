import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvOverrides } from '../../src/config/app-config';
import { Store } from '../../src/storage/store';
import { StoreHealth } from '../../src/storage/store-health';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite.store';

/**
 * The stores every contract and e2e suite runs against. SQLite always; MongoDB when
 * MONGODB_URI points at a server (a real mongod, Atlas, or the wire-protocol emulator in CI,
 * which then sets MONGODB_LABEL so the output says which one ran).
 */
export interface StoreUnderTest {
  name: string;
  /** Environment for an app on a fresh, empty store of this kind (a new data folder or database). */
  freshEnv(): EnvOverrides;
  /** Opens the store described by `env` directly, for the contract suites. */
  open(env: EnvOverrides): Promise<Store>;
  /** Removes what `freshEnv` created. */
  dispose(env: EnvOverrides): Promise<void>;
}

const sqlite: StoreUnderTest = {
  name: 'sqlite',
  freshEnv: () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), 'nca-')), MONGODB_URI: '' }),
  open: async (env) => openSqliteStore(join(env.DATA_DIR!, 'nest-cookie-auth.sqlite')),
  dispose: async (env) => rmSync(env.DATA_DIR!, { recursive: true, force: true }),
};

function mongo(baseUri: string, label: string): StoreUnderTest {
  return {
    name: `mongo (${label})`,
    freshEnv: () => ({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'nca-')),
      MONGODB_URI: withDatabase(baseUri, `nca_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`),
    }),
    open: async (env) => {
      const { openMongoStore } = await import('../../src/storage/mongo/mongo.store');
      const store = await openMongoStore(env.MONGODB_URI!, new Logger('Storage'));
      await untilReady(store.health);
      return store;
    },
    dispose: async (env) => {
      const { dropMongoDatabase } = await import('./mongo');
      await dropMongoDatabase(env.MONGODB_URI!);
      rmSync(env.DATA_DIR!, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the store answers. A MongoDB store can open before it is ready: the start stops
 * waiting for an index build after a few seconds (on a loaded machine the emulator can take that
 * long), and answers 503 until the build ends, as in production.
 */
export async function untilReady(health: StoreHealth, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await health.ping();
    } catch (error) {
      if (Date.now() > until) throw error;
      await sleep(100);
    }
  }
}

/** Replaces the database name in a MongoDB URI, keeping its options. */
function withDatabase(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

let announced = false;

/**
 * SQLite always, MongoDB when MONGODB_URI is set. TEST_STORES=mongo (or sqlite) narrows the
 * run to one of them, so the emulator run does not repeat the SQLite one.
 */
export function storesUnderTest(): StoreUnderTest[] {
  const uri = process.env.MONGODB_URI;
  const label = process.env.MONGODB_LABEL ?? 'MongoDB server';
  const only = process.env.TEST_STORES;
  const stores = [...(only === 'mongo' ? [] : [sqlite]), ...(uri && only !== 'sqlite' ? [mongo(uri, label)] : [])];
  if (!announced) {
    announced = true;
    const skipped = uri || only === 'sqlite'
      ? ''
      : ' MongoDB run SKIPPED: MONGODB_URI is not set (see docs/testing.md, "Tests against MongoDB").';
    const mongoNote = uri && only !== 'sqlite' ? ` [mongo = ${label} at ${new URL(uri).host}]` : '';
    // Written past jest's console capture so it reads as one plain line in the output.
    process.stdout.write(`Storage suites run on: ${stores.map((s) => s.name).join(', ') || 'nothing'}${mongoNote}.${skipped}\n`);
  }
  if (only === 'mongo' && !uri) throw new Error('TEST_STORES=mongo needs MONGODB_URI');
  return stores;
}

/**
 * For suites that only make sense on MongoDB: its store under test, or why there is none. The
 * caller states the reason in the output (`saySkipped`) and skips.
 */
export function mongoUnderTest(): { store: StoreUnderTest; skipped?: undefined } | { store?: undefined; skipped: string } {
  const store = storesUnderTest().find((candidate) => candidate.name.startsWith('mongo'));
  if (store) return { store };
  return { skipped: process.env.TEST_STORES === 'sqlite' ? 'TEST_STORES=sqlite (MongoDB suites run in the jest:mongo stage)' : 'MONGODB_URI is not set' };
}

/** One plain line in the test output saying what was skipped and why (past jest's console capture). */
export function saySkipped(what: string, reason: string): void {
  process.stdout.write(`${what} SKIPPED: ${reason}.\n`);
}

/** `describe` once per store under test, titled "<title> on <store>". */
export function describeOnEachStore(title: string, suite: (store: StoreUnderTest) => void): void {
  describe.each(storesUnderTest().map((store) => [store.name, store] as const))(`${title} on %s`, (_name, store) => suite(store));
}

/**
 * A fresh, empty store of `kind` for the describe block that calls this: opened before its tests,
 * closed and removed after them. `store` and `env` are set once the block's beforeAll has run.
 */
export function freshStoreFor(kind: StoreUnderTest): { store: Store; env: EnvOverrides } {
  const fresh = {} as { store: Store; env: EnvOverrides };
  beforeAll(async () => {
    fresh.env = kind.freshEnv();
    fresh.store = await kind.open(fresh.env);
  });
  afterAll(async () => {
    await fresh.store.close();
    await kind.dispose(fresh.env);
  });
  return fresh;
}
