import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule, AppModuleOptions } from './app.module';
import { clientAddresses } from './common/client';
import { GracefulShutdown } from './common/graceful-shutdown';
import { PinoLogger } from './common/logging.module';
import { setupOpenApi } from './common/openapi';
import { AppConfig } from './config/app-config';
import { refuseEncodedPaths } from './http/canonical-paths';
import { serveThroughFront } from './http/front';
import { securityHeaders } from './http/platform';
import { platformFor } from './http/platforms';

/**
 * Builds the whole app, exactly as main.ts runs it; tests and benchmarks boot it the same way.
 * Start-up errors (an invalid configuration above all) reject the promise instead of exiting,
 * so that the caller decides how to report them.
 */
export async function createApp(options: AppModuleOptions = {}): Promise<INestApplication> {
  let loaded: AppConfig | undefined;
  const module = await AppModule.forRoot({ ...options, onConfig: (config) => (loaded = config) });
  const config = loaded!;
  const platform = await platformFor(config);
  const app = await NestFactory.create(module, platform.adapter(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  const logger = app.get(PinoLogger);
  app.useLogger(logger);
  // First on every request, on both platforms: the headers (so that every answer has them), draining,
  // then the request log (so that a body refused before any route, a 413 or a malformed JSON, is logged as well),
  // then the client's address (TRUST_PROXY), decided once for everything that asks, then a 404 for
  // a path that %-escapes a letter (src/http/canonical-paths.ts), before either router reads it.
  const headers = securityHeaders(config);
  serveThroughFront(
    app.getHttpServer(),
    [headers, app.get(GracefulShutdown).middleware, logger.middleware, clientAddresses(config.http.trustProxy), refuseEncodedPaths(config), ...platform.front()],
    // What node's parser refuses before there is a request (431 and the like) carries them too.
    { errorHeaders: headers.lines },
  );
  await platform.configure(app, config);
  if (config.http.openApiDocs) setupOpenApi(app, platform);
  // process.exit(0) once closed: the default re-raises the signal, and a drained stop should exit 0.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  return app;
}
