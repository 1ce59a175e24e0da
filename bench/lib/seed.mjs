// Fills a fresh SQLite store before its server starts: logging in through the API costs a bcrypt
// each, so the stored sessions of the growth runs are inserted directly. The schema is created
// by the app's own migration code (dist/storage/sqlite/sqlite-database.js), so the rows follow
// whatever schema the build has; a NOT NULL column this file does not know fails loudly.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const DAY = 86_400_000;
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 43-character alphanumeric token, the shape rand-token gives the service. */
export function randomToken() {
  const bytes = randomBytes(43);
  let out = '';
  for (const b of bytes) out += TOKEN_ALPHABET[b % 62];
  return out;
}

/** SHA-256, base64url: what the service stores instead of a refresh token. */
export function hashToken(token) {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Creates the store at `file` with:
 *  - `sessions` live background sessions, `sessionsPerUser` per user (below MAX_SESSIONS_PER_USER),
 *    each with its current refresh record and `recordsPerSession - 1` retired ones (a session
 *    refreshed k times holds k+1 records until they expire); creation times spread over 5 days;
 *  - `users` extra users (login and measured-session users) with `passwordHash`, and no sessions.
 * Returns the background sessions (id, userId, refresh token) when `keepTokens`.
 */
export function seedSqlite({ distDir, file, sessions, sessionsPerUser = 5, recordsPerSession = 1, users = [], passwordHash, keepTokens = false }) {
  const require = createRequire(join(distDir, 'main.js'));
  const { openSqliteDatabase } = require(join(distDir, 'storage/sqlite/sqlite-database.js'));
  const db = openSqliteDatabase(file);
  const kept = [];
  try {
    checkColumns(db, 'users', ['id', 'username', 'name', 'password_hash', 'created_at', 'updated_at']);
    checkColumns(db, 'sessions', [
      'id', 'user_id', 'current_token_hash', 'previous_token_hash', 'rotated_at', 'created_at', 'last_used_at',
      'expires_at', 'absolute_expires_at', 'user_agent', 'ip',
    ]);
    checkColumns(db, 'refresh_tokens', ['token_hash', 'session_id', 'user_id', 'expires_at']);
    const insertUser = db.prepare(
      'INSERT INTO users (id, username, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertSession = db.prepare(
      `INSERT INTO sessions (id, user_id, current_token_hash, previous_token_hash, rotated_at, created_at, last_used_at,
         expires_at, absolute_expires_at, user_agent, ip) VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?)`,
    );
    const insertRecord = db.prepare('INSERT INTO refresh_tokens (token_hash, session_id, user_id, expires_at) VALUES (?, ?, ?, ?)');
    const now = Date.now();
    db.transaction(() => {
      for (const username of users) {
        insertUser.run(randomUUID(), username, username, passwordHash, now - DAY, now - DAY);
      }
      let userId = null;
      for (let i = 0; i < sessions; i++) {
        if (i % sessionsPerUser === 0) {
          userId = randomUUID();
          const created = now - 30 * DAY + i; // unique and ordered, as real sign-ups would be
          insertUser.run(userId, `seed-${i / sessionsPerUser}`, `Seed user ${i / sessionsPerUser}`, passwordHash, created, created);
        }
        const id = randomUUID();
        const token = randomToken();
        const tokenHash = hashToken(token);
        const createdAt = now - Math.floor(Math.random() * 5 * DAY);
        const expiresAt = Math.min(now + 7 * DAY, createdAt + 30 * DAY);
        insertSession.run(id, userId, tokenHash, createdAt, createdAt, expiresAt, createdAt + 30 * DAY, 'bench-seed/1.0', '127.0.0.1');
        insertRecord.run(tokenHash, id, userId, expiresAt);
        // Retired tokens of earlier rotations: kept until their own expiry for theft detection.
        for (let r = 1; r < recordsPerSession; r++) insertRecord.run(hashToken(randomToken()), id, userId, expiresAt - r * 900_000);
        if (keepTokens) kept.push({ id, userId, token });
      }
    })();
  } finally {
    db.close();
  }
  return kept;
}

/** Every column the table requires (NOT NULL, no default) must be one we fill. */
function checkColumns(db, table, known) {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all();
  const missing = columns.filter((c) => c.notnull && c.dflt_value === null && !c.pk && !known.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new Error(`bench/lib/seed.mjs: table ${table} now requires ${missing.join(', ')}; teach the seeder these columns`);
  }
}
