import Database from 'better-sqlite3';
import mongoose from 'mongoose';
import { join } from 'node:path';
import { EnvOverrides } from '../../src/config/app-config';

/**
 * Everything the app's store holds, as one string: every row of every SQLite table, or every
 * document of every MongoDB collection. Read over a connection of its own, as an attacker with
 * a copy of the database would.
 */
export async function storeDump(env: EnvOverrides): Promise<string> {
  if (env.MONGODB_URI) {
    const connection = mongoose.createConnection(env.MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
    try {
      await connection.asPromise();
      const db = connection.db!;
      const collections = await db.listCollections().toArray();
      const dumps = await Promise.all(collections.map(async ({ name }) => JSON.stringify(await db.collection(name).find().toArray())));
      return dumps.join('\n');
    } finally {
      await connection.close();
    }
  }
  const db = new Database(join(env.DATA_DIR!, 'nest-cookie-auth.sqlite'), { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
    return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}
