import type { Logger } from '@nestjs/common';
import mongoose, { type ConnectOptions, type Connection } from 'mongoose';
import { StoreUnavailableError } from '../storage.errors';
import { isUnreachable, translateMongoError } from './mongo-errors';

/** Pause between connection attempts while MongoDB is unreachable (each attempt itself waits ~2.5 s). */
const RETRY_DELAY_MS = 2000;

/**
 * The most one store operation may take before the request is answered 503. The driver's own
 * timeouts do not bound it: it retries a timed-out read once, and a stalled server can hold a
 * command for longer than socketTimeoutMS across both tries.
 */
const OPERATION_DEADLINE_MS = 4000;

/**
 * Short timeouts, so that during an outage a request that needs the store fails within a few
 * seconds (and is answered 503) instead of hanging:
 * - no command buffering: mongoose would otherwise queue commands while disconnected;
 * - server selection gives up after 2.5 s, as does opening a socket;
 * - a command whose server stops answering mid-way is abandoned after 5 s, and no operation
 *   holds a request longer than OPERATION_DEADLINE_MS whatever the driver does.
 * Within those bounds the driver still rides out a replica-set election by itself.
 */
function connectOptions(): ConnectOptions {
  return {
    serverSelectionTimeoutMS: 2500,
    connectTimeoutMS: 2500,
    socketTimeoutMS: 5000,
    heartbeatFrequencyMS: 5000,
    // A retried read would double the wait; the request is answered 503 and the client retries.
    retryReads: false,
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
 * The store's one MongoDB connection and its life cycle. mongoose's first connect does not
 * retry, and the service must start (and /health answer 503) while MongoDB is down, so the
 * link keeps trying in the background until it connects and the indexes are built. Until
 * then every operation is refused at once with StoreUnavailableError.
 */
export class MongoLink {
  /** Created unopened so that models bind to it first and the same object can be opened again. */
  readonly connection: Connection = mongoose.createConnection();
  /** host:port list for log lines, never the credentials. */
  readonly where: string;
  private ready = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt: Promise<boolean> | undefined;

  constructor(
    private readonly uri: string,
    private readonly logger: Logger,
  ) {
    this.where = hostsOf(uri);
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
   * Connects and runs `prepare` (index builds). Resolves once that is done, or right after the
   * first attempt finds MongoDB unreachable: the service then starts anyway and the link keeps
   * trying. Rejects only for what retrying cannot fix (bad URI or credentials, conflicting indexes).
   */
  async start(prepare: () => Promise<void>): Promise<void> {
    try {
      if (await this.tryOpen(prepare)) {
        this.logger.log(`Using MongoDB at ${this.where}`);
        return;
      }
    } catch (error) {
      throw new Error(`MongoDB at ${this.where} cannot be used: ${this.redact(error)}`, { cause: error });
    }
    this.logger.warn(`MongoDB at ${this.where} is unreachable; starting anyway, /health reports 503 until it answers`);
    this.scheduleRetry(prepare);
  }

  /** Runs one store operation: refused at once until ready, driver errors translated. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.ready) throw new StoreUnavailableError();
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(new StoreUnavailableError()), OPERATION_DEADLINE_MS);
    });
    try {
      return await Promise.race([work(), expired]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw translateMongoError(error, this.connection.readyState === mongoose.ConnectionStates.connected);
    } finally {
      clearTimeout(deadline);
    }
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
    // An attempt in flight settles within serverSelectionTimeoutMS; close after it so that no
    // half-opened client is left behind.
    await this.attempt?.catch(() => undefined);
    await this.connection.close();
  }

  private tryOpen(prepare: () => Promise<void>): Promise<boolean> {
    this.attempt = (async () => {
      try {
        if (this.connection.readyState !== mongoose.ConnectionStates.connected) {
          await this.connection.openUri(this.uri, connectOptions());
        }
        if (this.closed) return false;
        await prepare();
        this.ready = !this.closed;
        return this.ready;
      } catch (error) {
        if (this.closed || isUnreachable(error)) return false;
        throw error;
      }
    })();
    return this.attempt;
  }

  private scheduleRetry(prepare: () => Promise<void>): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.tryOpen(prepare).then(
        (ok) => {
          if (ok) this.logger.log(`MongoDB at ${this.where} answers; the store is ready`);
          else this.scheduleRetry(prepare);
        },
        (error) =>
          this.logger.error(`MongoDB at ${this.where} answers but cannot be used: ${this.redact(error)}; /health stays 503`),
      );
    }, RETRY_DELAY_MS);
    // The retry alone must not keep a process (or a test run) alive.
    this.retryTimer.unref();
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
