import type { mongo } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import { Counter, CounterSpec, CounterStore } from '../../throttling/counter-store';
import { COUNTERS_TABLE, limiterCounter, limiterOptions } from '../rate-limiter-counters';
import { MongoLink } from './mongo-link';

/**
 * Counters in the `counters` collection: one document per key, taken with findOneAndUpdate
 * ($inc, upsert) so that every instance on the database counts once; a TTL index on `expire`
 * removes them. The indexes are built with the store's others (`createCounterIndexes`).
 *
 * Two first hits on one key can both try to insert it; the unique index refuses the second
 * (code 11000), and rate-limiter-flexible then counts it on the document the first one made.
 * The same path replaces a counter that has expired but is still stored (the TTL monitor runs
 * about once a minute).
 */
export class MongoCounterStore extends CounterStore {
  constructor(private readonly link: MongoLink) {
    super();
  }

  counter(spec: CounterSpec): Counter {
    let limiter: RateLimiterMongo | undefined;
    // Built on first use, inside link.run, when the connection (and so its database handle) exists.
    const limiterOnDb = () =>
      (limiter ??= new RateLimiterMongo({ ...limiterOptions(spec), storeClient: timeLimited(this.link), disableIndexesCreation: true }));
    return limiterCounter(limiterOnDb, (work) => this.link.run(work));
  }
}

/**
 * The database handle rate-limiter-flexible gets: its `counters` collection with the time limit
 * of the store operation in progress added to each call, as the repositories add it to theirs.
 * Only the three methods the library uses; another one would fail loudly in the tests.
 */
function timeLimited(link: MongoLink): Pick<mongo.Db, 'collection'> {
  const limited = (name: string) => {
    const collection = link.connection.db!.collection(name);
    return {
      findOneAndUpdate: (filter: mongo.Filter<mongo.Document>, update: mongo.UpdateFilter<mongo.Document>, options: mongo.FindOneAndUpdateOptions) =>
        collection.findOneAndUpdate(filter, update, { ...options, maxTimeMS: link.msLeft() }),
      findOne: (filter: mongo.Filter<mongo.Document>) => collection.findOne(filter, { maxTimeMS: link.msLeft() }),
      deleteOne: (filter: mongo.Filter<mongo.Document>) => collection.deleteOne(filter, { maxTimeMS: link.msLeft() }),
    };
  };
  return { collection: limited } as unknown as Pick<mongo.Db, 'collection'>;
}

/** The indexes rate-limiter-flexible expects: unique on key, TTL on expire. Idempotent. */
export async function createCounterIndexes(db: mongo.Db): Promise<void> {
  const counters = db.collection(COUNTERS_TABLE);
  await counters.createIndex({ expire: -1 }, { expireAfterSeconds: 0 });
  await counters.createIndex({ key: 1 }, { unique: true });
}
