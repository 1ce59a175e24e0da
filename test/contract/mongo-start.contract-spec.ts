import { jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import type { Connection } from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoLink } from '../../src/storage/mongo/mongo-link';
import { StoreUnavailableError } from '../../src/storage/storage.errors';
import { mongoUnderTest, saySkipped } from '../support/stores';

/** Longer than the start waits for a build (5 s), as a build on a replica set can be. */
const SLOW_BUILD_MS = 6500;

const mongo = mongoUnderTest();
if (mongo.skipped) saySkipped('MongoDB start-up check', mongo.skipped);

/**
 * An index build at start is not an outage: on a replica set a build waits for every
 * data-bearing voting member, which can take longer than any request may. The service starts
 * (503 where it needs the store), says it is building indexes, never that MongoDB is unreachable,
 * and is ready when the build ends. The build here is a stand-in that takes its time.
 */
(mongo.skipped ? describe.skip : describe)(`MongoDB start with a slow index build${mongo.skipped ? ` (SKIPPED: ${mongo.skipped})` : ''}`, () => {
  const env = mongo.store?.freshEnv() ?? {};
  afterAll(() => mongo.store?.dispose(env));

  it('starts while the build runs, reports it as a build, and is ready when it ends', async () => {
    const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const link = new MongoLink(env.MONGODB_URI!, logger as unknown as Logger);
    let builder: Connection | undefined;
    let built = false;
    const started = performance.now();
    try {
      await link.start(async (connection) => {
        builder = connection;
        await sleep(SLOW_BUILD_MS);
        built = true;
      });
      expect(performance.now() - started).toBeLessThan(SLOW_BUILD_MS);
      expect(built).toBe(false);
      // The build's connection has no socket timeout to cut it off.
      expect(builder?.getClient().options.socketTimeoutMS).toBe(0);
      await expect(link.ping()).rejects.toBeInstanceOf(StoreUnavailableError);

      while (!built) await sleep(100);
      await sleep(200);
      await expect(link.ping()).resolves.toBeUndefined();
      const said = JSON.stringify([logger.log.mock.calls, logger.warn.mock.calls, logger.error.mock.calls]);
      expect(said).toMatch(/still building indexes; starting anyway/);
      expect(said).toMatch(/indexes are built; the store is ready/);
      expect(said).not.toMatch(/unreachable|cannot be used/);
    } finally {
      await link.close();
    }
  });
});
