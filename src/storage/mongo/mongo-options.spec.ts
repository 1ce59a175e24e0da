import mongoose from 'mongoose';
import { BACKSTOP_MARGIN_MS, OPERATION_BUDGET_MS, connectOptions, indexBuildOptions, withoutPinnedOptions } from './mongo-options';

/** A driver client as the store's connection would build it (no connection is opened). */
function clientFor(uri: string) {
  // mongoose's own options are not the driver's: mongoose takes them out before it builds the client.
  const { bufferCommands, autoIndex, autoCreate, sanitizeFilter, ...driverOptions } = connectOptions();
  void [bufferCommands, autoIndex, autoCreate, sanitizeFilter];
  return new mongoose.mongo.MongoClient(withoutPinnedOptions(uri).uri, driverOptions);
}

const WEAKENING =
  'mongodb://u:p@db1,db2,db3/auth?replicaSet=rs0&w=1&journal=false&j=false&fsync=false&wtimeoutMS=5&wtimeout=5' +
  '&readPreference=secondaryPreferred&readPreferenceTags=dc:ny&maxStalenessSeconds=120&readConcernLevel=majority' +
  '&retryWrites=false&retryReads=false&authSource=admin&tls=true';

describe('MongoDB connection options', () => {
  it('writes with w: "majority" and the journal, reads from the primary at "local", whatever the URI says', () => {
    const client = clientFor(WEAKENING);
    expect(client.writeConcern).toEqual(expect.objectContaining({ w: 'majority', journal: true }));
    expect(client.writeConcern?.wtimeoutMS).toBeUndefined();
    expect(client.readPreference.mode).toBe('primary');
    expect(client.readPreference.tags ?? []).toEqual([]);
    expect(client.readConcern?.level).toBe('local');
    expect(client.options).toEqual(expect.objectContaining({ retryWrites: true, retryReads: true }));
  });

  it('drops only the options it pins from the URI, and names them', () => {
    const { uri, dropped } = withoutPinnedOptions(WEAKENING);
    expect(uri).toBe('mongodb://u:p@db1,db2,db3/auth?replicaSet=rs0&authSource=admin&tls=true');
    expect(dropped).toEqual(['w', 'journal', 'j', 'fsync', 'wtimeoutMS', 'wtimeout', 'readPreference', 'readPreferenceTags', 'maxStalenessSeconds', 'readConcernLevel', 'retryWrites', 'retryReads']);
    expect(withoutPinnedOptions('mongodb+srv://cluster0.example.mongodb.net/auth?w=1')).toEqual({ uri: 'mongodb+srv://cluster0.example.mongodb.net/auth', dropped: ['w'] });
    expect(withoutPinnedOptions('mongodb://localhost/auth')).toEqual({ uri: 'mongodb://localhost/auth', dropped: [] });
  });

  it('waits for a primary for less than an operation may take, and keeps the socket timeout for a server that stopped answering', () => {
    const options = connectOptions();
    expect(options.serverSelectionTimeoutMS).toBeLessThan(OPERATION_BUDGET_MS);
    expect(options.waitQueueTimeoutMS).toBeLessThanOrEqual(OPERATION_BUDGET_MS);
    expect(options.socketTimeoutMS).toBeGreaterThan(OPERATION_BUDGET_MS + BACKSTOP_MARGIN_MS);
  });

  it('builds indexes without a socket timeout: a build may outlast any request', () => {
    expect(indexBuildOptions()).toEqual({ ...connectOptions(), socketTimeoutMS: 0, maxPoolSize: 1 });
  });
});
