import type { ConnectOptions } from 'mongoose';

/*
 * How long the MongoDB store may take, and what it asks MongoDB for. The arithmetic behind the
 * figures (elections, retries, what a failover looks like from a client) is in docs/operations.md,
 * "Replica sets, Atlas and failover".
 */

/**
 * The most one store operation (one repository call, all of its commands together) may take.
 * Every command carries what is left of it as `maxTimeMS`, so MongoDB itself abandons the work,
 * including the wait for a majority to acknowledge a write.
 */
export const OPERATION_BUDGET_MS = 4000;

/**
 * The service's own answer to a server that stops answering altogether (a frozen process, a
 * partition): past the budget and this margin the request is answered 503 whatever the driver is
 * still waiting for. A server that answers at all ends each command at its maxTimeMS first.
 */
export const BACKSTOP_MARGIN_MS = 1000;

/** How long an operation waits for a primary. Covers a planned step-down; an unplanned failover takes longer (see the docs). */
const SERVER_SELECTION_TIMEOUT_MS = 2500;

/**
 * The connection options of every MongoDB connection the store opens (with the URI from
 * withoutPinnedOptions).
 *
 * Durability and freshness are the service's to decide, not the URI's: a rotation acknowledged
 * with `w: 1` can be rolled back by a failover (and so can a fresh login), and a read from a
 * secondary can miss the write that decides it.
 */
export function connectOptions(): ConnectOptions {
  return {
    // No wtimeout: the command's maxTimeMS bounds the wait for a majority.
    writeConcern: { w: 'majority', journal: true },
    readPreference: 'primary',
    // The primary's latest state, which is what a compare-and-set just lost against: a majority
    // read could miss a rotation the primary has applied and call the next refresh a replay.
    readConcern: { level: 'local' },
    // Retryable writes make a write cut off by a step-down safe to send once more (the server
    // recognises it); a read that failed the same way is simply asked again of the new primary.
    retryWrites: true,
    retryReads: true,
    serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMS: 2500,
    heartbeatFrequencyMS: 5000,
    // A command that cannot get a pooled connection within the budget would only run after its answer.
    waitQueueTimeoutMS: OPERATION_BUDGET_MS,
    // Only for a server that stopped answering: a server that answers ends every command at its
    // maxTimeMS, well before this, and keeps the (costly to reopen) connection.
    socketTimeoutMS: 2 * (OPERATION_BUDGET_MS + BACKSTOP_MARGIN_MS),
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    // Wraps any `{ $op: ... }` object found in a filter in `$eq`, so a value that slipped past
    // validation can only be compared, never run as an operator. The adapters' own operators
    // are marked with mongoose.trusted().
    sanitizeFilter: true,
  };
}

/**
 * The connection that builds the indexes at start: the same, but without a socket timeout. On a
 * replica set an index build waits until every data-bearing voting member has built it, which
 * can take far longer than any request may; cut off, it would look like an outage.
 */
export function indexBuildOptions(): ConnectOptions {
  return { ...connectOptions(), socketTimeoutMS: 0, maxPoolSize: 1 };
}

/**
 * URI options that would change what connectOptions() pins, in every spelling the driver accepts
 * (lower-cased). They are removed from the URI rather than overridden: the driver merges a URI's
 * `j=false` or `wtimeout=` into a write concern given in code.
 */
const PINNED_URI_OPTIONS = new Set([
  'w', 'journal', 'j', 'fsync', 'wtimeoutms', 'wtimeout',
  'readpreference', 'readpreferencetags', 'maxstalenessseconds', 'readconcernlevel',
  'retrywrites', 'retryreads',
]);

/** `uri` without the options connectOptions() pins, and the names of those it had (as the URI spells them). */
export function withoutPinnedOptions(uri: string): { uri: string; dropped: string[] } {
  const mark = uri.indexOf('?');
  if (mark < 0) return { uri, dropped: [] };
  const pairs = uri.slice(mark + 1).split('&').filter(Boolean);
  const pinned = (pair: string) => PINNED_URI_OPTIONS.has(pair.split('=')[0].toLowerCase());
  const kept = pairs.filter((pair) => !pinned(pair));
  const dropped = pairs.filter(pinned).map((pair) => pair.split('=')[0]);
  return { uri: kept.length > 0 ? `${uri.slice(0, mark)}?${kept.join('&')}` : uri.slice(0, mark), dropped };
}
