import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config';

/** Middleware on node's own request and response, which every platform can run. */
export type RawMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * One HTTP platform: the Nest adapter and what it mounts before the app's own code runs, after
 * the front door (src/http/front.ts: graceful shutdown, request log, security headers,
 * Cache-Control: no-store, the client's address): cookies, JSON and form bodies up to BODY_LIMIT, CORS.
 * Everything after that is the same code on every platform.
 */
export interface HttpPlatform {
  adapter(config: AppConfig): AbstractHttpAdapter;
  /** This platform's own part of the front door (src/http/front.ts), after createApp's. */
  front(): RawMiddleware[];
  configure(app: INestApplication, config: AppConfig): Promise<void>;
  /** /docs: the UI's assets are same-origin files, so helmet's CSP minus upgrade-insecure-requests. */
  relaxDocsCsp(app: INestApplication): void;
}

/** Every answer here is personal or a credential: no shared or browser cache may keep it. */
export const CACHE_CONTROL = 'no-store';

/** helmet's options: its defaults suit the JSON API and the pages (which set a stricter CSP of their own). */
function helmetOptions(config: AppConfig) {
  // HSTS only in production, where the service is served over https.
  return { strictTransportSecurity: config.production ? { maxAge: 31_536_000, includeSubDomains: true } : (false as const) };
}

/**
 * The headers every answer carries: helmet's, then Cache-Control: no-store. helmet's middleware
 * writes the same headers on every request (no nonce in our options), so it runs once here, on a
 * response that records what it sets and removes, and each request gets that record replayed:
 * half of what helmet's chain of thirteen middlewares costs a request.
 */
export function securityHeaders(config: AppConfig): RawMiddleware & { readonly lines: readonly (readonly [string, string])[] } {
  const record = () => {
    const set: [string, string][] = [];
    const removed: string[] = [];
    const recorder = {
      setHeader: (name: string, value: unknown) => void set.push([name, String(value)]),
      removeHeader: (name: string) => void removed.push(name),
    };
    let ran = false;
    helmet(helmetOptions(config))({} as IncomingMessage, recorder as unknown as ServerResponse, () => (ran = true));
    if (!ran || set.length === 0) throw new Error('helmet did not set its headers');
    return { set, removed };
  };
  const { set, removed } = record();
  // Replaying is right only while helmet writes the same on every request (no nonce, no function directive).
  if (JSON.stringify(record()) !== JSON.stringify({ set, removed })) throw new Error('helmet wrote different headers twice: they cannot be replayed');
  set.push(['Cache-Control', CACHE_CONTROL]);
  const middleware: RawMiddleware = function securityHeaders(_req, res, next) {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
  // The same lines, for answers written on the socket itself (serveThroughFront's client errors).
  return Object.assign(middleware, { lines: set });
}

/**
 * The CORS headers the cors package (Express) writes on any answer to a credentialed,
 * ALLOWED_ORIGINS configuration, for answers given before the platform's CORS runs: the origin
 * only when it is allowed.
 */
export function corsAnswerHeaders(origin: string | undefined, config: AppConfig): [string, string][] {
  const { allowedOrigins } = config.http;
  if (allowedOrigins.length === 0) return [];
  return [
    ...(origin !== undefined && allowedOrigins.includes(origin) ? [['Access-Control-Allow-Origin', origin] as [string, string]] : []),
    ['Access-Control-Allow-Credentials', 'true'],
    ['Vary', 'Origin'],
  ];
}

/**
 * CORS for ALLOWED_ORIGINS, credentialed. The `cors` package's defaults spelt out, so that
 * @fastify/cors (which allows GET, HEAD and POST only by default) answers preflights alike.
 */
export function corsOptions(config: AppConfig) {
  return { origin: [...config.http.allowedOrigins], credentials: true, methods: 'GET,HEAD,PUT,PATCH,POST,DELETE', optionsSuccessStatus: 204, preflightContinue: false };
}

/** The UI links nothing over http; upgrade-insecure-requests would send its assets to https on plain-http hosts. */
export const DOCS_CSP = { directives: { upgradeInsecureRequests: null } };
