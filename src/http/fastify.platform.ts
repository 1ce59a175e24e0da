import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyFormbody from '@fastify/formbody';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { JSONCookies } from 'cookie-parser';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { PinoLogger } from '../common/logging.module';
import type { TrustProxy } from '../config/trust-proxy';
import { bodyLimitBytes, checkedPayload, parseForm, parseJson } from './bodies';
import { CACHE_CONTROL, DOCS_CSP, HttpPlatform, corsOptions, helmetOptions } from './platform';

/** The request log, for the one answer Fastify gives before any hook runs (set by configure). */
let logBadUrl: PinoLogger['middleware'] | undefined;

/**
 * HTTP_PLATFORM=fastify: @nestjs/platform-fastify with the Fastify ecosystem's plugins, set up so
 * that a client sees what Express sends (the bodies' parse rules of body-parser, cookie-parser's
 * reading of cookies, Express's routing leniency). src/http/fastify.responses.ts writes responses.
 */
export const fastifyPlatform: HttpPlatform = {
  adapter: (config) => {
    const { trustProxy } = config.http;
    const securityHeaders = helmet(helmetOptions(config));
    return new FastifyAdapter({
      // No Express-style middleware: the two that run first are onRequest hooks (useFirst), and
      // middie's per-request URL work would be spent for nothing.
      skipMiddie: true,
      trustProxy: fastifyTrust(trustProxy),
      bodyLimit: bodyLimitBytes(config.http.bodyLimit),
      // Requests that arrive while draining are still served (with Connection: close), as on Express.
      return503OnClosing: false,
      // No id of Fastify's on the request: pino-http numbers requests as it does on Express.
      genReqId: () => '',
      // Express matches /auth/me/ and /AUTH/ME as /auth/me, and a path parameter of any length.
      routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 16_384 },
      // A path that does not decode (/a%ZZ) matches no route on Express: its 404, with the same headers.
      frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
        // No hook or middleware runs for it: the request log and the headers are added here.
        logBadUrl?.(request.raw, reply.raw, () => undefined);
        securityHeaders(request.raw, reply.raw, () => undefined);
        reply.header('Cache-Control', CACHE_CONTROL);
        const { allowedOrigins } = config.http;
        if (allowedOrigins.length > 0) {
          // What the cors package writes on any answer: the origin only when it is allowed.
          const origin = request.headers.origin;
          if (origin !== undefined && allowedOrigins.includes(origin)) reply.header('Access-Control-Allow-Origin', origin);
          reply.header('Access-Control-Allow-Credentials', 'true').header('Vary', 'Origin');
        }
        void reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify({ statusCode: 404, error: 'Not Found', message: `Cannot ${request.method} ${request.url}` }));
      },
    });
  },

  useFirst(nest, middleware) {
    const fastify = (nest as NestFastifyApplication).getHttpAdapter().getInstance();
    fastify.addHook('onRequest', (request, reply, done) => middleware(request.raw, reply.raw, done));
  },

  async configure(nest, config) {
    const app = nest as NestFastifyApplication;
    logBadUrl = app.get(PinoLogger).middleware;
    const fastify = app.getHttpAdapter().getInstance();
    // helmet's middleware built once, rather than @fastify/helmet, which builds it anew on every
    // request (7 us of a 44 us /health/live): the same headers from the same package.
    const securityHeaders = helmet(helmetOptions(config));
    fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, () => done()));
    fastify.addHook('onRequest', async (_request: FastifyRequest, reply: FastifyReply) => {
      reply.header('Cache-Control', CACHE_CONTROL);
    });
    // @fastify/cookie serializes Set-Cookie; the Cookie header is read as cookie-parser reads it.
    await app.register(fastifyCookie, { hook: 'onRequest', parseOptions: { decode: decodeCookieValue } as object });
    fastify.addHook('onRequest', async (request: FastifyRequest) => {
      request.cookies = JSONCookies(Object.assign(Object.create(null), request.cookies)) as unknown as Record<string, string>;
    });
    const bodyLimit = bodyLimitBytes(config.http.bodyLimit);
    // body-parser inflates gzip, deflate and br bodies and checks charsets, for the types it parses.
    fastify.addHook('preParsing', async (request: FastifyRequest, _reply: FastifyReply, payload) => checkedPayload(request.headers, payload));
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
      try {
        done(null, parseJson(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    await app.register(fastifyFormbody, { bodyLimit, parser: parseForm });
    // body-parser leaves other types unread (the body is then absent); Fastify would answer 415.
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    if (config.http.allowedOrigins.length > 0) {
      // The plugin itself rather than app.enableCors(), whose hook runs before every other: a
      // preflight then passes the request log, helmet and no-store first, as on Express. An
      // OPTIONS without Origin is still answered as a preflight, as the cors package does.
      await app.register(fastifyCors, { ...corsOptions(config), strictPreflight: false });
    }
  },

  relaxDocsCsp(nest: INestApplication) {
    const fastify = (nest as NestFastifyApplication).getHttpAdapter().getInstance();
    const csp = helmet.contentSecurityPolicy(DOCS_CSP);
    const isDocs = (url: string) => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');
    // After the helmet hook, on the same raw response: the later header wins, as on Express.
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
 * Express's reading of TRUST_PROXY. Fastify 5 trusts no hop at all for a bare count (it cannot
 * check the nearest peer); Express trusts the n nearest, which is what TRUST_PROXY=n documents.
 */
function fastifyTrust(trustProxy: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy;
  return trustProxy === false ? false : [...trustProxy];
}

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
