import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import type { GracefulShutdown } from '../common/graceful-shutdown';

/**
 * One HTTP platform: the Nest adapter and everything mounted before the app's own code runs
 * (graceful shutdown, security headers, Cache-Control: no-store, cookies, JSON and form bodies
 * up to BODY_LIMIT, CORS, trust proxy). Everything after that is the same code on every platform.
 */
export interface HttpPlatform {
  adapter(config: AppConfig): AbstractHttpAdapter;
  configure(app: INestApplication, config: AppConfig, shutdown: GracefulShutdown): Promise<void>;
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

/** The UI links nothing over http; upgrade-insecure-requests would send its assets to https on plain-http hosts. */
export const DOCS_CSP = { directives: { upgradeInsecureRequests: null } };
