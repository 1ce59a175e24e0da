import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppModule, AppModuleOptions } from './app.module';
import { GracefulShutdown } from './common/graceful-shutdown';
import { PinoLogger } from './common/logging.module';
import { setupOpenApi } from './common/openapi';
import { AppConfig } from './config/app-config';

/**
 * Builds the whole app, exactly as main.ts runs it; tests and benchmarks boot it the same way.
 * Start-up errors (an invalid configuration above all) reject the promise instead of exiting,
 * so that the caller decides how to report them.
 */
export async function createApp(options: AppModuleOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(options), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.use(app.get(GracefulShutdown).middleware);
  const config = app.get(AppConfig);
  const { trustProxy } = config.http;
  app.set('trust proxy', Array.isArray(trustProxy) ? [...trustProxy] : trustProxy);
  // No-store answers cannot be revalidated, so an ETag would only cost a hash per response.
  app.set('etag', false);
  // helmet's defaults suit the JSON API and the pages (which set a stricter CSP of their own);
  // HSTS only in production, where the service is served over https.
  app.use(helmet({ strictTransportSecurity: config.production ? { maxAge: 31_536_000, includeSubDomains: true } : false }));
  app.use(noStore);
  app.use(cookieParser());
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimit, extended: false });
  if (config.http.allowedOrigins.length > 0) {
    app.enableCors({ origin: [...config.http.allowedOrigins], credentials: true });
  }
  if (config.http.openApiDocs) setupOpenApi(app);
  // process.exit(0) once closed: the default re-raises the signal, and a drained stop should exit 0.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  return app;
}

/** Every answer here is personal or a credential: no shared or browser cache may keep it. */
function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
