import mongoose from 'mongoose';

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
