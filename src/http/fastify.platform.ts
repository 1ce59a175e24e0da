import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { JSONCookies } from 'cookie-parser';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type RequestListener, createServer } from 'node:http';
import helmet from 'helmet';
import { bodyLimitBytes, bodyText, checkedPayload, parseForm, parseJson } from './bodies';
import { CACHE_CONTROL, DOCS_CSP, HttpPlatform, corsAnswerHeaders, corsOptions } from './platform';

/**
 * HTTP_PLATFORM=fastify: @nestjs/platform-fastify with the Fastify ecosystem's plugins, set up so
 * that a client sees what Express sends (the bodies' parse rules of body-parser, cookie-parser's
 * reading of cookies, Express's routing leniency). src/http/fastify.responses.ts writes responses.
 */
export const fastifyPlatform: HttpPlatform = {
  adapter: (config) =>
    new FastifyAdapter({
      // No Express-style middleware (the front door runs on node's request): middie's
      // per-request URL work would be spent for nothing.
      skipMiddie: true,
      // Our own server, so that it is the only one: for a HOST that resolves to several addresses
      // (localhost: 127.0.0.1 and ::1) Fastify would otherwise listen on the others with servers
      // of its own, whose requests would not pass the front door (src/http/front.ts).
      serverFactory: (handler: RequestListener, options: Record<string, unknown>) => {
        const server = createServer(handler);
        // What Fastify sets on the servers it makes itself (its defaults are in `options` by now).
        server.keepAliveTimeout = options.keepAliveTimeout as number;
        server.requestTimeout = options.requestTimeout as number;
        server.setTimeout(options.connectionTimeout as number);
        return server;
      },
      bodyLimit: bodyLimitBytes(config.http.bodyLimit),
      // Requests that arrive while draining are still served (with Connection: close), as on Express.
      return503OnClosing: false,
      // No id of Fastify's on the request: pino-http numbers requests as it does on Express.
      genReqId: () => '',
      // Express matches /auth/me/ and /AUTH/ME as /auth/me, and a path parameter of any length.
      routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 16_384 },
      // A path that does not decode (/a%ZZ) matches no route on Express: its 404. No hook runs
      // for it (the front door has logged it and set the headers): CORS is added here.
      frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
        for (const [name, value] of corsAnswerHeaders(request.headers.origin, config)) reply.header(name, value);
        void reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify({ statusCode: 404, error: 'Not Found', message: `Cannot ${request.method} ${request.url}` }));
      },
      // No trustProxy: the client's address is decided in the front door (src/common/client.ts),
      // the same way on both platforms, and nothing reads Fastify's request.ip or request.protocol.
    }),

  // Helmet's headers and no-store are in the front door; cookies are @fastify/cookie's, below.
  front: () => [],

  async configure(nest, config) {
    const app = nest as NestFastifyApplication;
    const fastify = app.getHttpAdapter().getInstance();
    // @fastify/cookie serializes Set-Cookie; the Cookie header is read as cookie-parser reads it.
    await app.register(fastifyCookie, { hook: 'onRequest', parseOptions: { decode: decodeCookieValue } as object });
    fastify.addHook('onRequest', async (request: FastifyRequest) => {
      request.cookies = JSONCookies(Object.assign(Object.create(null), request.cookies)) as unknown as Record<string, string>;
    });
    const bodyLimit = bodyLimitBytes(config.http.bodyLimit);
    // body-parser inflates gzip, deflate and br bodies and checks charsets, for the types it parses.
    fastify.addHook('preParsing', async (request: FastifyRequest, _reply: FastifyReply, payload) => checkedPayload(request.headers, payload));
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
      try {
        done(null, parseJson(bodyText(body as Buffer, request.headers)));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    // Fastify's own parser API rather than @fastify/formbody, whose parser gets the body as a
    // UTF-8 string only: a form declaring charset=iso-8859-1 is read in that charset, as on Express.
    fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
      try {
        done(null, parseForm(body as Buffer, request.headers));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    // body-parser leaves other types unread (the body is then absent); Fastify would answer 415.
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    if (config.http.allowedOrigins.length > 0) {
      // The plugin itself rather than app.enableCors(), whose hook runs before every other: a
      // preflight then passes the cookie hook first, as on Express. An
      // OPTIONS without Origin is still answered as a preflight, as the cors package does.
      await app.register(fastifyCors, { ...corsOptions(config), strictPreflight: false });
    }
  },

  relaxDocsCsp(nest: INestApplication) {
    const fastify = (nest as NestFastifyApplication).getHttpAdapter().getInstance();
    const csp = helmet.contentSecurityPolicy(DOCS_CSP);
    const isDocs = (url: string) => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');
    // After the front door's helmet, on the same raw response: the later header wins, as on Express.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (isDocs(request.url)) csp(request.raw, reply.raw, () => done());
      else done();
    });
    // @nestjs/swagger sends the UI page as bare text/html on Fastify; Express adds the charset.
    fastify.addHook('onSend', async (request, reply, payload) => {
      if (!isDocs(request.url)) return payload;
      if (reply.getHeader('content-type') === 'text/html') reply.header('content-type', 'text/html; charset=utf-8');
      // @fastify/static would send its own Cache-Control; Express's serve-static keeps ours.
      reply.header('Cache-Control', CACHE_CONTROL);
      return payload;
    });
  },
};

/**
 * The cookie package's reading in the version cookie-parser uses (0.7): surrounding quotes dropped,
 * %-escapes decoded when valid. Checked against it on 200k random headers: no difference.
 */
function decodeCookieValue(value: string): string {
  const quoted = value.length > 0 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22;
  const unquoted = quoted ? value.slice(1, -1) : value;
  if (!unquoted.includes('%')) return unquoted;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    return unquoted;
  }
}
