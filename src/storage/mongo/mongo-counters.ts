import { RateLimiterMongo } from 'rate-limiter-flexible';
import { Counter, CounterSpec, CounterStore } from '../../throttling/counter-store';
import { COUNTERS_TABLE, limiterCounter, limiterOptions } from '../rate-limiter-counters';
import { MongoLink } from './mongo-link';

/**
 * Counters in the `counters` collection: one document per key, taken with findOneAndUpdate
 * ($inc, upsert) so that every instance on the database counts once; a TTL index on `expire`
 * removes them. The indexes are built with the store's others (`createCounterIndexes`).
 */
export class MongoCounterStore extends CounterStore {
  constructor(private readonly link: MongoLink) {
    super();
  }

  counter(spec: CounterSpec): Counter {
    let limiter: RateLimiterMongo | undefined;
    // Built on first use, inside link.run, when the connection (and so its database handle) exists.
    const limiterOnDb = () =>
      (limiter ??= new RateLimiterMongo({ ...limiterOptions(spec), storeClient: this.link.connection.db!, disableIndexesCreation: true }));
    return limiterCounter(limiterOnDb, (work) => this.link.run(work));
  }
}

/** The indexes rate-limiter-flexible expects: unique on key, TTL on expire. Idempotent. */
export async function createCounterIndexes(link: MongoLink): Promise<void> {
  const counters = link.connection.db!.collection(COUNTERS_TABLE);
  await counters.createIndex({ expire: -1 }, { expireAfterSeconds: 0 });
  await counters.createIndex({ key: 1 }, { unique: true });
}
