import type { AppConfig } from '../config/app-config';
import type { HttpPlatform } from './platform';

/** The platform HTTP_PLATFORM names; Fastify's packages are loaded only when it is chosen. */
export async function platformFor(config: AppConfig): Promise<HttpPlatform> {
  if (config.http.platform === 'fastify') return (await import('./fastify.platform')).fastifyPlatform;
  return (await import('./express.platform')).expressPlatform;
}
