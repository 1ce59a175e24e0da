import { Logger } from '@nestjs/common';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * DATA_DIR holds password hashes, addresses and token hashes (the SQLite file), the development
 * secrets and the development outbox: nobody but the service's own user may read any of it. The
 * one place that decides the modes of what the service keeps there.
 */
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
const OPEN_TO_OTHERS = 0o077;

const logger = new Logger('DataDir');
const octal = (mode: number) => (mode & 0o777).toString(8);

/**
 * A folder the service keeps private files in: created 0700 (missing parents too) when absent. An
 * existing one open to other users is left as it is, with a warning: it may be a mount point or
 * a folder someone else set up, and the files in it are kept 0600 whatever its mode.
 */
export function makePrivateDir(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    return;
  }
  const { mode } = statSync(dir);
  if (mode & OPEN_TO_OTHERS) {
    logger.warn(`${dir} is open to other users (mode ${octal(mode)}); the files in it are kept 600, but other users can list them: chmod 700 ${dir}`);
  }
}

/**
 * Creates `file` empty with mode 0600 when it does not exist yet, so that whatever opens it next
 * keeps that mode (SQLite gives its -wal and -shm files the database file's mode).
 */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE));
}

/**
 * Files the service wrote itself, tightened to 0600 where they exist and are open to others
 * (left by an earlier version, or copied in): they are ours, and nothing else should read them.
 * Each change is logged; a file we may not change (another owner) gets the command instead.
 */
export function keepFilesPrivate(files: readonly string[]): void {
  for (const file of files) {
    if (!existsSync(file)) continue;
    const { mode } = statSync(file);
    if (!(mode & OPEN_TO_OTHERS)) continue;
    try {
      chmodSync(file, PRIVATE_FILE);
      logger.warn(`${file} was open to other users (mode ${octal(mode)}): now 600`);
    } catch {
      logger.warn(`${file} is open to other users (mode ${octal(mode)}) and this user may not change it: chmod 600 ${file}`);
    }
  }
}
