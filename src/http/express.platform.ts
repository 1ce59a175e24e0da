import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { CACHE_CONTROL, DOCS_CSP, HttpPlatform, corsOptions, helmetOptions } from './platform';

/** Express (the default): helmet, cookie-parser and body-parser, as the design names them. */
export const expressPlatform: HttpPlatform = {
  adapter: () => new ExpressAdapter(),

  useFirst(app, middleware) {
    app.use(middleware);
  },

  async configure(nest, config) {
    const app = nest as NestExpressApplication;
    const { trustProxy } = config.http;
    app.set('trust proxy', Array.isArray(trustProxy) ? [...trustProxy] : trustProxy);
    // No-store answers cannot be revalidated, so an ETag would only cost a hash per response.
    app.set('etag', false);
    app.use(helmet(helmetOptions(config)));
    app.use(noStore);
    // Before the body parsers: a refused body (413, bad JSON) still carries the CORS headers, so
    // that the allowed page can read why.
    if (config.http.allowedOrigins.length > 0) {
      app.enableCors(corsOptions(config));
    }
    app.use(cookieParser());
    app.useBodyParser('json', { limit: config.http.bodyLimit });
    app.useBodyParser('urlencoded', { limit: config.http.bodyLimit, extended: false });
  },

  relaxDocsCsp(nest: INestApplication) {
    nest.use('/docs', helmet.contentSecurityPolicy(DOCS_CSP));
  },
};

function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', CACHE_CONTROL);
  next();
}
