import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter, NestExpressApplication, type NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { verifyJsonDepth } from './bodies';
import { DOCS_CSP, HttpPlatform, RawMiddleware, corsOptions } from './platform';

/** Express (the default): cookie-parser and body-parser, as the design names them (helmet is in the front door). */
export const expressPlatform: HttpPlatform = {
  adapter: () => new ExpressAdapter(),

  // cookie-parser only reads the request: it runs in the front door, not as an Express layer.
  front: () => [cookieParser() as unknown as RawMiddleware],

  async configure(nest, config) {
    const app = nest as NestExpressApplication;
    // No 'trust proxy': the client's address is decided in the front door (src/common/client.ts),
    // the same way on both platforms, and nothing reads Express's req.ip, req.protocol or req.hostname.
    // No-store answers cannot be revalidated, so an ETag would only cost a hash per response.
    app.set('etag', false);
    // Express adds it after the front door's helmet has run, so helmet's removal cannot catch it.
    app.disable('x-powered-by');
    // Before the body parsers: a refused body (413, bad JSON) still carries the CORS headers, so
    // that the allowed page can read why.
    if (config.http.allowedOrigins.length > 0) {
      app.enableCors(corsOptions(config));
    }
    // Nest's types reserve `verify` for its rawBody option, which this app leaves off: then the
    // options reach body-parser as given, and the hook bounds nesting before the parser runs.
    app.useBodyParser('json', { limit: config.http.bodyLimit, verify: verifyJsonDepth } as NestExpressBodyParserOptionsFor<'json'>);
    app.useBodyParser('urlencoded', { limit: config.http.bodyLimit, extended: false });
  },

  relaxDocsCsp(nest: INestApplication) {
    nest.use('/docs', helmet.contentSecurityPolicy(DOCS_CSP));
  },
};
