import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { createPrivateFile, keepFilesPrivate, makePrivateDir } from '../../config/data-dir';
import { DuplicateKeyError, StoreUnavailableError } from '../storage.errors';

export type SqliteDatabase = Database.Database;

/** Schema versions, applied in order; `PRAGMA user_version` records how far a file has come. */
const MIGRATIONS: string[] = [
  `CREATE TABLE users (
     id            TEXT PRIMARY KEY,
     username      TEXT NOT NULL UNIQUE,
     name          TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at    INTEGER NOT NULL,
     updated_at    INTEGER NOT NULL
   );
   CREATE INDEX users_created_at ON users (created_at, id);
   CREATE TABLE sessions (
     id                  TEXT PRIMARY KEY,
     user_id             TEXT NOT NULL,
     current_token_hash  TEXT NOT NULL UNIQUE,
     previous_token_hash TEXT,
     rotated_at          INTEGER,
     created_at          INTEGER NOT NULL,
     last_used_at        INTEGER NOT NULL,
     expires_at          INTEGER NOT NULL,
     absolute_expires_at INTEGER NOT NULL,
     user_agent          TEXT,
     ip                  TEXT
   );
   CREATE INDEX sessions_user ON sessions (user_id, created_at);
   CREATE INDEX sessions_expires_at ON sessions (expires_at);
   CREATE TABLE refresh_tokens (
     token_hash TEXT PRIMARY KEY,
     session_id TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
   CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);`,
  // Rate limits and failure counts, shared by every process on the file. The shape is
  // rate-limiter-flexible's (key = family:subject, expire in epoch ms).
  `CREATE TABLE counters (
     key    TEXT PRIMARY KEY,
     points INTEGER NOT NULL DEFAULT 0,
     expire INTEGER
   );
   CREATE INDEX counters_expire ON counters (expire);`,
  // E-mail addresses and one-time tokens (password reset, verification). email_key is the
  // lower-cased copy of a *verified* address only: unique among verified addresses, case-insensitively.
  `ALTER TABLE users ADD COLUMN email TEXT;
   ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE users ADD COLUMN email_key TEXT;
   CREATE UNIQUE INDEX users_email_key ON users (email_key) WHERE email_key IS NOT NULL;
   CREATE TABLE one_time_tokens (
     user_id    TEXT NOT NULL,
     purpose    TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     email      TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (user_id, purpose)
   );`,
  // One live token per user, purpose and address (email_key, lower-cased), so that a link mailed
  // to an address the account has left is not replaced by the next one mailed elsewhere.
  `ALTER TABLE one_time_tokens RENAME TO one_time_tokens_before;
   CREATE TABLE one_time_tokens (
     user_id    TEXT NOT NULL,
     purpose    TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     email      TEXT NOT NULL,
     email_key  TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (user_id, purpose, email_key)
   );
   INSERT INTO one_time_tokens SELECT user_id, purpose, token_hash, email, lower(email), expires_at FROM one_time_tokens_before;
   DROP TABLE one_time_tokens_before;`,
  // Second factors: a TOTP secret per user (sealed: AES-256-GCM under key_id), its recovery codes
  // (SHA-256), and the password sign-ins waiting for a second step (the pending cookie's SHA-256).
  `CREATE TABLE totp_factors (
     user_id    TEXT PRIMARY KEY,
     key_id     TEXT NOT NULL,
     sealed     TEXT NOT NULL,
     confirmed  INTEGER NOT NULL DEFAULT 0,
     last_step  INTEGER,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE recovery_codes (
     user_id   TEXT NOT NULL,
     code_hash TEXT NOT NULL,
     PRIMARY KEY (user_id, code_hash)
   );
   CREATE TABLE pending_sign_ins (
     token_hash TEXT PRIMARY KEY,
     user_id    TEXT NOT NULL,
     failures   INTEGER NOT NULL DEFAULT 0,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX pending_sign_ins_expires_at ON pending_sign_ins (expires_at);`,
  // Browsers whose second step their owner asked us to remember (MFA_REMEMBER_DEVICE), by device cookie id.
  `CREATE TABLE remembered_devices (
     user_id    TEXT NOT NULL,
     device_id  TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (user_id, device_id)
   );`,
];

export function openSqliteDatabase(file: string): SqliteDatabase {
  makePrivateDir(dirname(file));
  createPrivateFile(file);
  keepFilesPrivate([file, `${file}-wal`, `${file}-shm`]);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL stays consistent after a crash (a power loss may drop the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // SQLite's default page cache is 2 MB: past ~10k sessions the hot indexes would no longer fit
  // and every lookup would go back to the file. 64 MB holds them for hundreds of thousands.
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}

function migrate(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next]);
      db.pragma(`user_version = ${next + 1}`);
    })();
  }
}

/** Runs a statement and turns driver errors into the storage's own errors. */
export function sqlite<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new DuplicateKeyError(uniqueColumn((error as Error).message));
    }
    if (code.startsWith('SQLITE_')) throw new StoreUnavailableError({ cause: error });
    throw error;
  }
}

/** Columns whose domain name is not their camel-cased name. */
const FIELD_NAMES: Record<string, string> = { email_key: 'email' };

/**
 * "UNIQUE constraint failed: sessions.current_token_hash" names the column (the value never
 * appears); reported under the domain's field name, as every adapter does.
 */
function uniqueColumn(message: string): string {
  const column = /failed: \w+\.(\w+)/.exec(message)?.[1] ?? 'key';
  return FIELD_NAMES[column] ?? column.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());
}
