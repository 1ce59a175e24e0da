import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepFilesPrivate, makePrivateDir } from './data-dir';

export interface Secrets {
  jwtAccessSecret: string;
  refreshTokenSecret: string;
}

const SECRET_VARIABLES = {
  jwtAccessSecret: 'JWT_ACCESS_SECRET (or JWT_ACCESS_KEYS)',
  refreshTokenSecret: 'REFRESH_TOKEN_SECRET',
} as const satisfies Record<keyof Secrets, string>;

const MIN_SECRET_LENGTH = 32;
const GENERATE_HINT = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

/**
 * Production must bring its own strong secrets. Development without them generates a pair once
 * and keeps it in the data folder, so a restart does not log everyone out.
 */
export function resolveSecrets(
  given: Partial<Secrets>,
  options: { production: boolean; dataDir: string },
): Secrets {
  const weak = (Object.keys(SECRET_VARIABLES) as (keyof Secrets)[]).filter(
    (key) => given[key] !== undefined && given[key]!.length < MIN_SECRET_LENGTH,
  );
  const missing = (Object.keys(SECRET_VARIABLES) as (keyof Secrets)[]).filter((key) => given[key] === undefined);
  const problems = [
    ...weak.map((key) => `${SECRET_VARIABLES[key]} is too short: use at least ${MIN_SECRET_LENGTH} random characters`),
    ...(options.production ? missing.map((key) => `${SECRET_VARIABLES[key]} is required when NODE_ENV=production`) : []),
  ];
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}\n  Generate a secret with: ${GENERATE_HINT}`);
  }
  if (missing.length === 0) return given as Secrets;

  const file = join(options.dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  makePrivateDir(options.dataDir);
  if (existsSync(file)) {
    keepFilesPrivate([file]);
    stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>;
  } else {
    stored = {
      jwtAccessSecret: randomBytes(32).toString('base64url'),
      refreshTokenSecret: randomBytes(32).toString('base64url'),
    };
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  new Logger('Config').warn(
    `${missing.map((key) => SECRET_VARIABLES[key]).join(' and ')} not set: using development secrets kept in ${file}. ` +
      'Set them in the environment for production.',
  );
  return {
    jwtAccessSecret: given.jwtAccessSecret ?? stored.jwtAccessSecret!,
    refreshTokenSecret: given.refreshTokenSecret ?? stored.refreshTokenSecret!,
  };
}
