import { Logger } from '@nestjs/common';
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { logServerError, toErrorBody } from '../common/http-error.filter';
import type { HttpRequest } from './http';
import type { RawMiddleware } from './platform';

/**
 * The front door: middleware on node's own request and response, run on every request before the
 * platform gets it (createApp's list: helmet's headers and Cache-Control: no-store, graceful
 * shutdown, the request log, and on Express cookie-parser). The same middleware that an Express
 * app.use() or a Fastify hook would run, without the platform's cost per layer: as five Express
 * layers they cost ~45 us of a 150 us /health/live, here ~10. Every answer passes through it,
 * including those a platform gives before any hook of its own (Fastify's 404 for a path that does
 * not decode).
 *
 * Only middleware that calls next() before it returns (or answers itself) belongs here: the
 * platform takes over as soon as the list has run. One that throws gets the request a 500, and the
 * platform never sees it. Every server the app listens on must be this one (Fastify's own extra
 * servers for a multi-address HOST are turned off in fastify.platform.ts).
 */
export function serveThroughFront(server: Server, front: readonly RawMiddleware[], options: { errorHeaders?: readonly (readonly [string, string])[] } = {}): void {
  answerClientErrors(server, options.errorHeaders ?? []);
  const platform = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    try {
      for (const middleware of front) {
        let passed = false;
        middleware(req, res, () => (passed = true));
        if (passed) continue;
        if (res.writableEnded) return; // it answered the request itself
        throw new Error(`front middleware ${middleware.name || '(anonymous)'} did not call next()`);
      }
    } catch (error) {
      failed(req, res, error);
      return;
    }
    for (const listener of platform) listener.call(server, req, res);
  });
}

const logger = new Logger('HttpError');

/**
 * What HttpErrorFilter does with an unexpected error: logged (logServerError), answered in the
 * standard shape. The security headers are first in the list, so the answer carries them.
 */
function failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const body = toErrorBody(error);
  logServerError(logger, body, error, req as unknown as HttpRequest);
  if (res.headersSent) return void res.destroy();
  res.statusCode = body.statusCode;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** What node's HTTP parser refuses before there is a request: its error code, our status and words. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers are too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Chunk extensions are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive'],
};
const MALFORMED: [number, string] = [400, 'Malformed HTTP request'];
/** How long a refused client may keep its side open after the answer. */
const CLOSE_GRACE_MS = 5000;

/**
 * Requests node's parser refuses (headers past its limit: 431; a malformed request: 400; too slow:
 * 408) never reach a platform: node answers with an empty body and Fastify with a JSON body of its
 * own, neither with the security headers. Every such answer is written here instead, the same on
 * both platforms: the standard error body, the headers every answer carries, and the connection
 * closed. Written on the socket itself, as node's documentation for 'clientError' requires.
 */
function answerClientErrors(server: Server, headers: readonly (readonly [string, string])[]): void {
  server.removeAllListeners('clientError');
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // As node's own handler: nothing goes out on a broken socket, or into a response already on its way.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify({ statusCode: status, error: STATUS_CODES[status], message });
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      ...headers.map(([name, value]) => `${name}: ${value}`),
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
    // A client that never closes its side does not keep the socket.
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  });
}
