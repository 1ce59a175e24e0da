import { Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
export function serveThroughFront(server: Server, front: readonly RawMiddleware[]): void {
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
