import type { Logger } from '@nestjs/common';
import mongoose, { type Connection } from 'mongoose';
import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreUnavailableError } from '../storage.errors';
import { isUnreachable, translateMongoError, unconfirmedWrite } from './mongo-errors';
import { BACKSTOP_MARGIN_MS, OPERATION_BUDGET_MS, connectOptions, indexBuildOptions, withoutPinnedOptions } from './mongo-options';

/** Pause between connection attempts while MongoDB is unreachable (each attempt itself waits ~2.5 s). */
const RETRY_DELAY_MS = 2000;

/** How long the start waits for the index build before it lets the service answer (503 until the build ends). */
const START_WAIT_MS = 5000;

/** How often a long index build is reported. */
const BUILD_REPORT_MS = 30_000;

/** The index builds of the store: run once at start, on a connection without request time limits. */
export type IndexBuild = (connection: Connection) => Promise<void>;

/**
 * The store's MongoDB connection and its life cycle. mongoose's first connect does not retry, and
 * the service must start (and /health answer 503) while MongoDB is down, so the link keeps trying
 * in the background until it connects and the indexes are built. Until then every operation is
 * refused at once with StoreUnavailableError.
 */
export class MongoLink {
  /** Created unopened so that models bind to it first and the same object can be opened again. */
  readonly connection: Connection = mongoose.createConnection();
  /** host:port list for log lines, never the credentials. */
  readonly where: string;
  private readonly uri: string;
  private ready = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt: Promise<boolean> | undefined;
  private builder: Connection | undefined;
  /** The deadline (performance.now()) of the operation whose commands are being issued. */
  private readonly deadlines = new AsyncLocalStorage<number>();

  constructor(
    uri: string,
    private readonly logger: Logger,
  ) {
    this.where = hostsOf(uri);
    const pinned = withoutPinnedOptions(uri);
    this.uri = pinned.uri;
    if (pinned.dropped.length > 0) {
      logger.warn(
        `MONGODB_URI sets ${pinned.dropped.join(', ')}: ignored. The service always writes with w: "majority" and journal, reads from the primary (read concern "local") and retries once after a failover (docs/operations.md)`,
      );
    }
    // mongoose emits 'error' only when someone listens, and closing while connecting waits for
    // it; failures themselves are handled where each attempt is awaited.
    this.connection.on('error', () => undefined);
    this.connection.on('disconnected', () => {
      if (this.ready && !this.closed) {
        logger.warn(`Lost MongoDB at ${this.where}; requests that need the store answer 503 until it returns`);
      }
    });
    this.connection.on('reconnected', () => {
      if (this.ready && !this.closed) logger.log(`MongoDB at ${this.where} answers again`);
    });
  }

  /**
   * Connects and builds the indexes. Resolves once that is done; or right after the first attempt
   * finds MongoDB unreachable, or once the build has taken START_WAIT_MS: the service then starts
   * anyway (503 where it needs the store) and the link carries on in the background. Rejects only
   * for what retrying cannot fix (bad URI or credentials, conflicting indexes).
   */
  async start(build: IndexBuild): Promise<void> {
    let waited: NodeJS.Timeout | undefined;
    const stillBuilding = new Promise<'building'>((resolve) => {
      waited = setTimeout(() => resolve('building'), START_WAIT_MS);
    });
    const attempt = this.tryOpen(build);
    try {
      const first = await Promise.race([attempt, stillBuilding]);
      if (first === true) {
        this.logger.log(`Using MongoDB at ${this.where}`);
        return;
      }
      if (first === 'building') {
        this.logger.warn(`MongoDB at ${this.where} answers and is still building indexes; starting anyway, requests that need the store answer 503 until the build ends`);
        this.finishInBackground(attempt, build);
        return;
      }
    } catch (error) {
      throw new Error(`MongoDB at ${this.where} cannot be used: ${this.redact(error)}`, { cause: error });
    } finally {
      clearTimeout(waited);
    }
    this.logger.warn(`MongoDB at ${this.where} is unreachable; starting anyway, /health reports 503 until it answers`);
    this.scheduleRetry(build);
  }

  /**
   * Runs one store operation: refused at once until ready, driver errors translated. Its commands
   * take their time limits from msLeft(). A write the server applied but could not confirm on a
   * majority is logged as such: the client is answered 503 like any other failure.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.ready) throw new StoreUnavailableError();
    let backstop: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      backstop = setTimeout(() => reject(new StoreUnavailableError()), OPERATION_BUDGET_MS + BACKSTOP_MARGIN_MS);
    });
    try {
      return await Promise.race([this.deadlines.run(performance.now() + OPERATION_BUDGET_MS, work), expired]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      const unconfirmed = unconfirmedWrite(error);
      if (unconfirmed) {
        this.logger.warn(
          `A write to MongoDB at ${this.where} may have been applied: the primary did not confirm it on a majority of the replica set (${unconfirmed}); answered 503`,
        );
      }
      throw translateMongoError(error, this.connection.readyState === mongoose.ConnectionStates.connected);
    } finally {
      clearTimeout(backstop);
    }
  }

  /**
   * The `maxTimeMS` for the next command of the operation in progress: what is left of its budget,
   * so that MongoDB stops the work when the request is answered 503. Only inside run().
   */
  msLeft(): number {
    const deadline = this.deadlines.getStore();
    if (deadline === undefined) throw new Error('MongoLink.msLeft() called outside run()');
    const left = Math.floor(deadline - performance.now());
    if (left <= 0) throw new StoreUnavailableError();
    return left;
  }

  /**
   * Asks the server to answer. Deliberately not short-circuited on mongoose's readyState, which
   * flips to disconnected during an election: the command waits for server selection instead.
   */
  ping(): Promise<void> {
    return this.run(async () => void (await this.connection.db!.admin().ping()));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    clearTimeout(this.retryTimer);
    // An attempt in flight settles within serverSelectionTimeoutMS (an index build: when the builder
    // connection closes); close after it so that no half-opened client is left behind.
    await this.builder?.close(true).catch(() => undefined);
    await this.attempt?.catch(() => undefined);
    await this.connection.close();
  }

  /**
   * One attempt: connect, then build the indexes on a connection of their own (no socket
   * timeout, no maxTimeMS: see indexBuildOptions). Resolves false when MongoDB cannot be reached
   * or stepped down meanwhile; rejects for what retrying cannot fix.
   */
  private tryOpen(build: IndexBuild): Promise<boolean> {
    this.attempt = (async () => {
      try {
        if (this.connection.readyState !== mongoose.ConnectionStates.connected) {
          await this.connection.openUri(this.uri, connectOptions());
        }
        if (this.closed) return false;
        this.builder = mongoose.createConnection();
        this.builder.on('error', () => undefined);
        try {
          await this.builder.openUri(this.uri, indexBuildOptions());
          if (this.closed) return false;
          await build(this.builder);
        } finally {
          await this.builder.close().catch(() => undefined);
          this.builder = undefined;
        }
        this.ready = !this.closed;
        return this.ready;
      } catch (error) {
        if (this.closed || isUnreachable(error)) return false;
        throw error;
      }
    })();
    return this.attempt;
  }

  /** After the start stopped waiting for the build: reports it while it lasts, then carries on as a retry would. */
  private finishInBackground(attempt: Promise<boolean>, build: IndexBuild): void {
    const started = performance.now();
    const report = setInterval(() => {
      const seconds = Math.round((performance.now() - started) / 1000);
      this.logger.warn(
        `MongoDB at ${this.where} is still building indexes after ${seconds} s (on a replica set a build waits for every data-bearing voting member; see db.currentOp()); /health reports 503 until it ends`,
      );
    }, BUILD_REPORT_MS);
    report.unref();
    this.settle(attempt, build, () => clearInterval(report));
  }

  private scheduleRetry(build: IndexBuild): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => this.settle(this.tryOpen(build), build), RETRY_DELAY_MS);
    // The retry alone must not keep a process (or a test run) alive.
    this.retryTimer.unref();
  }

  private settle(attempt: Promise<boolean>, build: IndexBuild, done: () => void = () => {}): void {
    attempt.then(
      (ok) => {
        done();
        if (ok) this.logger.log(`MongoDB at ${this.where} answers and its indexes are built; the store is ready`);
        else this.scheduleRetry(build);
      },
      (error) => {
        done();
        this.logger.error(`MongoDB at ${this.where} answers but cannot be used: ${this.redact(error)}; /health stays 503`);
      },
    );
  }

  /** The error's message for an operator's log, with the URI's credentials cut out if they appear. */
  private redact(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const userinfo = /^[a-z+]+:\/\/(.*)@/i.exec(this.uri)?.[1];
    return userinfo ? message.split(userinfo).join('***') : message;
  }
}

/**
 * The host list of a MongoDB URI. Everything up to the last '@' is dropped: credentials always
 * precede the hosts, so at worst an odd '@' in the options gives a wrong host label, never a secret.
 */
function hostsOf(uri: string): string {
  const afterScheme = uri.replace(/^[a-z+]+:\/\//i, '');
  const hosts = afterScheme.slice(afterScheme.lastIndexOf('@') + 1).split(/[/?]/)[0];
  return hosts || 'the configured URI';
}
