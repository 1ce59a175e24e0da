import mongoose from 'mongoose';
import { DuplicateKeyError, StoreUnavailableError } from '../storage.errors';

/** MongoDB's code for a write refused by a unique index. */
export const DUPLICATE_KEY = 11000;

/**
 * Socket failures. The driver wraps most as MongoNetworkError, but not all: a command written
 * just after the server closed its end (a crash, a kill) rejects with Node's raw EPIPE error
 * from the wait for 'drain'. Either way the store could not be reached.
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The port's field names for the unique keys MongoDB reports by their stored path. */
const FIELD_NAMES: Record<string, string> = { _id: 'id', emailKey: 'email' };

/**
 * Turns what mongoose or the driver threw into the storage's own errors, so that no driver
 * text reaches a response. `connected` says whether the connection was up when it failed:
 * mongoose reports "not connected" as plain MongooseErrors that carry no better marker.
 */
export function translateMongoError(error: unknown, connected: boolean): Error {
  if (isDuplicateKey(error)) return new DuplicateKeyError(duplicateField(error));
  // Any driver or server error other than a duplicate key means the store could not do the
  // work (unreachable, failing over, shutting down, timed out), as the SQLite adapter treats
  // every SQLITE_* code.
  if (error instanceof mongoose.mongo.MongoError) return new StoreUnavailableError({ cause: error });
  if (error instanceof mongoose.Error.MongooseServerSelectionError) return new StoreUnavailableError({ cause: error });
  if (isSocketError(error)) return new StoreUnavailableError({ cause: error });
  if (!connected) return new StoreUnavailableError({ cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Server answers that mean "not the primary (any more)": a step-down or an election is under way,
 * and the same command will succeed on the next primary.
 */
const FAILOVER_CODES = new Set([
  10107, // NotWritablePrimary
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
  189, // PrimarySteppedDown
  91, // ShutdownInProgress
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
]);

/**
 * True for errors that mean "cannot reach MongoDB now" (or its primary is changing), as opposed to
 * a bad URI, credentials or schema: the start retries the first kind and stops on the second.
 */
export function isUnreachable(error: unknown): boolean {
  return (
    error instanceof mongoose.Error.MongooseServerSelectionError ||
    error instanceof mongoose.mongo.MongoServerSelectionError ||
    error instanceof mongoose.mongo.MongoNetworkError ||
    error instanceof mongoose.mongo.MongoNotConnectedError ||
    error instanceof mongoose.mongo.MongoTopologyClosedError ||
    (error instanceof mongoose.mongo.MongoServerError && FAILOVER_CODES.has(error.code as number))
  );
}

/**
 * When the server applied a write but could not confirm it on a majority in time (a write-concern
 * error: the command succeeded on the primary, which may keep it or lose it in a failover), says
 * which error it was; null for every other failure.
 */
export function unconfirmedWrite(error: unknown): string | null {
  if (!(error instanceof mongoose.mongo.MongoServerError)) return null;
  const reported = error instanceof mongoose.mongo.MongoWriteConcernError ? error : error.errorResponse?.writeConcernError;
  if (!reported) return null;
  const { code, codeName } = reported as { code?: unknown; codeName?: unknown };
  return `write concern error ${typeof codeName === 'string' ? codeName : 'code'} ${String(code ?? '')}`.trim();
}

function isSocketError(error: unknown): boolean {
  return error instanceof Error && SOCKET_ERROR_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

interface DuplicateKeyShape {
  code: number;
  keyPattern?: Record<string, unknown>;
}

function isDuplicateKey(error: unknown): error is DuplicateKeyShape {
  return error instanceof mongoose.mongo.MongoServerError && error.code === DUPLICATE_KEY;
}

/** Names the field from `keyPattern` (MongoDB 4.4+ always sends it); never the value. */
function duplicateField(error: DuplicateKeyShape): string {
  const path = Object.keys(error.keyPattern ?? {})[0] ?? 'key';
  return FIELD_NAMES[path] ?? path;
}
