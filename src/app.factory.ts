import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppModule, AppModuleOptions } from './app.module';
import { AppConfig } from './config/app-config';

/** Builds the whole app, exactly as main.ts runs it; tests and benchmarks boot it the same way. */
export async function createApp(options: AppModuleOptions & { logger?: false } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    bodyParser: false,
    ...(options.logger === false ? { logger: false } : {}),
  });
  const config = app.get(AppConfig);
  app.set('trust proxy', config.http.trustProxy);
  app.use(helmet());
  app.use(noStore);
  app.use(cookieParser());
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.http.bodyLimit, extended: false });
  if (config.http.allowedOrigins.length > 0) {
    app.enableCors({ origin: [...config.http.allowedOrigins], credentials: true });
  }
  app.enableShutdownHooks();
  return app;
}

/** Every answer here is personal or a credential: no shared or browser cache may keep it. */
function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
