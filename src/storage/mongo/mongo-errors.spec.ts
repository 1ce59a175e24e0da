import mongoose from 'mongoose';
import { DuplicateKeyError, StoreUnavailableError } from '../storage.errors';
import { isUnreachable, translateMongoError, unconfirmedWrite } from './mongo-errors';

const socketError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('translateMongoError', () => {
  it('makes driver network errors and raw socket errors alike "store unavailable" (503), even while connected', () => {
    expect(translateMongoError(new mongoose.mongo.MongoNetworkError('connection reset'), true)).toBeInstanceOf(StoreUnavailableError);
    // What the driver let through when the server was killed under load (scenario 3 of npm run test:faults).
    expect(translateMongoError(socketError('EPIPE', 'This socket has been ended by the other party'), true)).toBeInstanceOf(StoreUnavailableError);
    expect(translateMongoError(socketError('ECONNRESET', 'read ECONNRESET'), true)).toBeInstanceOf(StoreUnavailableError);
  });

  it('names the field of a duplicate key, never its value', () => {
    const duplicate = new mongoose.mongo.MongoServerError({ code: 11000, keyPattern: { username: 1 }, keyValue: { username: 'ada' } });
    const translated = translateMongoError(duplicate, true);
    expect(translated).toBeInstanceOf(DuplicateKeyError);
    expect(translated.message).not.toContain('ada');
  });

  it('leaves a programming error alone while connected (it is a 500 and must be seen)', () => {
    const bug = new TypeError('x is undefined');
    expect(translateMongoError(bug, true)).toBe(bug);
    expect(translateMongoError(socketError('ENOENT', 'no such file'), true)).not.toBeInstanceOf(StoreUnavailableError);
    expect(translateMongoError(bug, false)).toBeInstanceOf(StoreUnavailableError);
  });

  it('makes a write-concern error (applied on the primary, not confirmed by a majority) a 503, and says which one it was', () => {
    const unconfirmed = new mongoose.mongo.MongoWriteConcernError({
      ok: 1,
      n: 1,
      writeConcernError: { code: 50, codeName: 'MaxTimeMSExpired', errmsg: 'operation exceeded time limit' },
    });
    expect(translateMongoError(unconfirmed, true)).toBeInstanceOf(StoreUnavailableError);
    expect(unconfirmedWrite(unconfirmed)).toBe('write concern error MaxTimeMSExpired 50');
    // The same, reported inside a server error's reply.
    const wrapped = new mongoose.mongo.MongoServerError({ ok: 1, writeConcernError: { code: 64, codeName: 'WriteConcernFailed' } });
    expect(unconfirmedWrite(wrapped)).toBe('write concern error WriteConcernFailed 64');
  });

  it('makes a command stopped at its time limit a 503 that applied nothing', () => {
    const stopped = new mongoose.mongo.MongoServerError({ ok: 0, code: 50, codeName: 'MaxTimeMSExpired', errmsg: 'operation exceeded time limit' });
    expect(translateMongoError(stopped, true)).toBeInstanceOf(StoreUnavailableError);
    expect(unconfirmedWrite(stopped)).toBeNull();
    expect(unconfirmedWrite(new Error('x'))).toBeNull();
  });

  it('tells a failover (retry) from what retrying cannot fix at start (stop)', () => {
    const notPrimary = new mongoose.mongo.MongoServerError({ ok: 0, code: 10107, codeName: 'NotWritablePrimary' });
    const steppedDown = new mongoose.mongo.MongoServerError({ ok: 0, code: 11602, codeName: 'InterruptedDueToReplStateChange' });
    const conflict = new mongoose.mongo.MongoServerError({ ok: 0, code: 85, codeName: 'IndexOptionsConflict' });
    const denied = new mongoose.mongo.MongoServerError({ ok: 0, code: 13, codeName: 'Unauthorized' });
    expect(isUnreachable(notPrimary)).toBe(true);
    expect(isUnreachable(steppedDown)).toBe(true);
    expect(isUnreachable(new mongoose.mongo.MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(isUnreachable(conflict)).toBe(false);
    expect(isUnreachable(denied)).toBe(false);
  });
});
