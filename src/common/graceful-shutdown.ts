import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Past this, connections still open after a shutdown began are cut (requests in flight are long done). */
const BACKSTOP_MS = 10_000;

/**
 * Drains on SIGTERM. Node's server.close() only stops listening and ends the connections idle
 * at that instant; a busy keep-alive connection would go on serving its client's next requests.
 * So once shutdown begins every response says `Connection: close`, idle connections are ended,
 * and whatever is still open after BACKSTOP_MS is cut. Requests in flight finish normally.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Middleware on node's req/res (any platform), mounted first: answers written once the shutdown began close their connection. */
  readonly middleware = (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (this.draining) {
      res.setHeader('Connection', 'close');
    } else {
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    }
    next();
  };

  beforeApplicationShutdown(): void {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), BACKSTOP_MS).unref();
  }
}
