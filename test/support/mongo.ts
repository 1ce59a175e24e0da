import mongoose from 'mongoose';
import { spawnSync } from 'node:child_process';

/** Drops the database a test's MONGODB_URI names, on a short-lived connection of its own. */
export async function dropMongoDatabase(uri: string): Promise<void> {
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await connection.asPromise();
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}

/**
 * The version a MongoDB server reports in buildInfo (the emulator says `7.0.0-emulator`), asked
 * from a short-lived child process: jest decides which tests to skip synchronously, before any runs.
 */
export function serverVersionSync(uri: string): string {
  const probe = `
    const { MongoClient } = require('mongoose').mongo;
    const client = new MongoClient(process.argv[1], { serverSelectionTimeoutMS: 5000 });
    client.db('admin').command({ buildInfo: 1 })
      .then((info) => process.stdout.write(String(info.version)))
      .catch((error) => { process.stderr.write(String(error.message)); process.exitCode = 1; })
      .finally(() => client.close());`;
  const result = spawnSync(process.execPath, ['-e', probe, uri], { encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0) throw new Error(`buildInfo from MONGODB_URI failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}
