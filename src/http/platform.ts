import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config';

/** Middleware on node's own request and response, which every platform can run. */
export type RawMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * One HTTP platform: the Nest adapter and everything mounted before the app's own code runs
 * (after createApp's graceful shutdown and request log: security headers, Cache-Control: no-store, cookies, JSON and form bodies
 * up to BODY_LIMIT, CORS, trust proxy). Everything after that is the same code on every platform.
 */
export interface HttpPlatform {
  adapter(config: AppConfig): AbstractHttpAdapter;
  /** Runs `middleware` first on every request, before anything configure() mounts. */
  useFirst(app: INestApplication, middleware: RawMiddleware): void;
  configure(app: INestApplication, config: AppConfig): Promise<void>;
  /** /docs: the UI's assets are same-origin files, so helmet's CSP minus upgrade-insecure-requests. */
  relaxDocsCsp(app: INestApplication): void;
}

/** Every answer here is personal or a credential: no shared or browser cache may keep it. */
export const CACHE_CONTROL = 'no-store';

/** helmet's options: its defaults suit the JSON API and the pages (which set a stricter CSP of their own). */
export function helmetOptions(config: AppConfig) {
  // HSTS only in production, where the service is served over https.
  return { strictTransportSecurity: config.production ? { maxAge: 31_536_000, includeSubDomains: true } : (false as const) };
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
