import mongoose from 'mongoose';
import { DuplicateKeyError, StoreUnavailableError } from '../storage.errors';
import { translateMongoError } from './mongo-errors';

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
});
