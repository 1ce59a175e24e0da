import { jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import mongoose from 'mongoose';
import { StoreUnavailableError } from '../storage.errors';
import { MongoLink } from './mongo-link';
import { OPERATION_BUDGET_MS } from './mongo-options';

/** A link that believes it is connected (no server here: these are its own rules, not MongoDB's). */
function readyLink(uri = 'mongodb://db1,db2/auth?replicaSet=rs0') {
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const link = new MongoLink(uri, logger as unknown as Logger);
  Object.assign(link, { ready: true });
  return { link, logger };
}

describe('MongoLink', () => {
  it('gives each command what is left of the operation budget, and refuses outside an operation', async () => {
    const { link } = readyLink();
    expect(() => link.msLeft()).toThrow('outside run()');
    const [first, second] = await link.run(async () => {
      const before = link.msLeft();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [before, link.msLeft()];
    });
    expect(first).toBeLessThanOrEqual(OPERATION_BUDGET_MS);
    expect(first).toBeGreaterThan(OPERATION_BUDGET_MS - 50);
    expect(second).toBeLessThanOrEqual(first - 40);
  });

  it('logs a write that may have been applied, and answers it as the store being unavailable', async () => {
    const { link, logger } = readyLink();
    const unconfirmed = new mongoose.mongo.MongoWriteConcernError({ ok: 1, n: 1, writeConcernError: { code: 64, codeName: 'WriteConcernFailed', errmsg: 'waiting for replication timed out' } });
    await expect(link.run(() => Promise.reject(unconfirmed))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/may have been applied.*WriteConcernFailed 64.*answered 503/));
  });

  it('does not call other failures writes that may have been applied', async () => {
    const { link, logger } = readyLink();
    const stopped = new mongoose.mongo.MongoServerError({ ok: 0, code: 50, codeName: 'MaxTimeMSExpired' });
    await expect(link.run(() => Promise.reject(stopped))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('says at start which URI options it ignores, without the credentials', () => {
    const { logger } = readyLink('mongodb://user:secret@db1/auth?w=1&readPreference=secondary&replicaSet=rs0');
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/^MONGODB_URI sets w, readPreference: ignored\./));
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain('secret');
  });
});
