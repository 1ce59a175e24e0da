import { Injectable, LoggerService, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { HttpLogger, pinoHttp } from 'pino-http';
import { AppConfig } from '../config/app-config';
import { loggableUrl } from './loggable-url';

/**
 * Structured JSON logs through pino, behind Nest's Logger. A request line keeps what it takes to
 * follow a request and nothing that can carry a credential: no headers at all (so no cookie,
 * set-cookie, authorization or x-csrf-token) and no body. Not cloning and redacting the headers of
 * every request is also most of what request logging used to cost (~30 us a request).
 */
const requestFields = (req: IncomingMessage & { id?: unknown; originalUrl?: string }) => ({
  id: req.id,
  method: req.method,
  // The front door serializes the request before any router can cut req.url down (Express sets
  // originalUrl when it does).
  url: loggableUrl(req.originalUrl || req.url || ''),
  remoteAddress: req.socket?.remoteAddress,
});
// null when no answer went out (the client went away first), as pino-std-serializers writes it.
const responseFields = (res: ServerResponse) => ({ statusCode: res.headersSent ? res.statusCode : null });

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Nest's LoggerService written as pino lines: the context as a field, an object's fields at top level. */
@Injectable()
export class PinoLogger implements LoggerService {
  private readonly http: HttpLogger;

  constructor(config: AppConfig) {
    // Synchronous writes: no line is lost when the process ends, and a LOG_FILE can be read
    // as soon as the app is closed.
    const destination = config.log.file ? pino.destination({ dest: config.log.file, sync: true, mkdir: true }) : pino.destination(1);
    this.http = pinoHttp(
      {
        level: config.log.level,
        // Straight from node's req and res: pino-std-serializers' wrappers first build a full copy
        // of every request (headers included) that these would then throw away.
        wrapSerializers: false,
        serializers: { req: requestFields, res: responseFields, err: pino.stdSerializers.err },
        // Health probes every few seconds would drown everything else.
        autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      },
      destination,
    );
  }

  /**
   * Plain node req/res, so any HTTP platform can mount it: numbers the request (`req.id`, which
   * security events repeat) and logs it once answered. No AsyncLocalStorage to bind other lines
   * to the request: on Node 20 it hooks every promise: 8 us of a 36 us /health/live on Fastify.
   */
  readonly middleware = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    this.http(req, res);
    next();
  };

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  // Nest's Logger passes its context last: log(message, context), error(message, stack, context).
  private write(level: Level, message: unknown, params: unknown[]): void {
    const log = this.http.logger;
    const fields: Record<string, unknown> = params.length > 0 ? { context: params.at(-1) } : {};
    const rest = params.slice(0, -1) as [string?];
    if (message instanceof Error) log[level]({ ...fields, err: message }, ...rest);
    else if (typeof message === 'object') log[level](Object.assign(fields, message), ...rest);
    else if (level === 'error' && typeof message === 'string' && isStack(rest)) log.error({ ...fields, err: Object.assign(new Error(message), { stack: rest[0] }) });
    else log[level](fields, message as string, ...rest);
  }
}

/** error(message, stack): the stack goes into pino's `err`, one field, not a format argument. */
const isStack = (rest: unknown[]): rest is [string] => rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0]);

/** createApp mounts `PinoLogger.middleware` first on either platform, before any body is read. */
@Module({ providers: [PinoLogger], exports: [PinoLogger] })
export class LoggingModule {}
