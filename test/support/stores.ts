import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvOverrides } from '../../src/config/app-config';
import { Store } from '../../src/storage/store';
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
      return openMongoStore(env.MONGODB_URI!, new Logger('Storage'));
    },
    dispose: async (env) => {
      const { dropMongoDatabase } = await import('./mongo');
      await dropMongoDatabase(env.MONGODB_URI!);
      rmSync(env.DATA_DIR!, { recursive: true, force: true });
    },
  };
}

/** Replaces the database name in a MongoDB URI, keeping its options. */
function withDatabase(uri: string, database: string): string {
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

let announced = false;

export function storesUnderTest(): StoreUnderTest[] {
  const uri = process.env.MONGODB_URI;
  const label = process.env.MONGODB_LABEL ?? 'MongoDB server';
  if (!announced) {
    announced = true;
    // eslint-disable-next-line no-console
    console.log(
      uri
        ? `Storage suites run on: sqlite, and mongo via ${label} at ${new URL(uri).host}`
        : 'Storage suites run on: sqlite. MongoDB run SKIPPED: MONGODB_URI is not set (see README, "Tests against MongoDB").',
    );
  }
  return uri ? [sqlite, mongo(uri, label)] : [sqlite];
}
