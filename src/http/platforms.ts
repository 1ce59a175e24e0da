import type { AppConfig } from '../config/app-config';
import { expressPlatform } from './express.platform';
import type { HttpPlatform } from './platform';

/** The platform HTTP_PLATFORM names. */
export async function platformFor(_config: AppConfig): Promise<HttpPlatform> {
  return expressPlatform;
}
