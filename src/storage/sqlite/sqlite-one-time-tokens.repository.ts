import { emailKey } from '../../users/email';
import { OneTimePurpose, OneTimeToken, OneTimeTokensRepository } from '../../users/one-time-tokens.repository';
import { SqliteDatabase, sqlite } from './sqlite-database';

interface TokenRow {
  user_id: string;
  purpose: OneTimePurpose;
  token_hash: string;
  email: string;
  expires_at: number;
}

const toToken = (row: TokenRow): OneTimeToken => ({
  tokenHash: row.token_hash,
  purpose: row.purpose,
  userId: row.user_id,
  email: row.email,
  expiresAt: new Date(row.expires_at),
});

/**
 * One row per (user, purpose, address), so issuing a token replaces the user's earlier one for
 * that address in the same statement. Expired rows are overwritten by the next issue for the same
 * address, retired with the user's tokens (a change of address, a new password, the account
 * deleted), and otherwise few: a handful per user at most.
 */
export class SqliteOneTimeTokensRepository extends OneTimeTokensRepository {
  private readonly upsert;
  private readonly live;
  private readonly take;
  private readonly removeAll;
  private readonly removePurpose;

  constructor(db: SqliteDatabase) {
    super();
    this.upsert = db.prepare(
      `INSERT INTO one_time_tokens (user_id, purpose, token_hash, email, email_key, expires_at)
       VALUES (@userId, @purpose, @tokenHash, @email, @emailKey, @expiresAt)
       ON CONFLICT (user_id, purpose, email_key) DO UPDATE SET
         token_hash = excluded.token_hash, email = excluded.email, expires_at = excluded.expires_at`,
    );
    this.live = db.prepare<[string, OneTimePurpose, number], TokenRow>(
      'SELECT * FROM one_time_tokens WHERE token_hash = ? AND purpose = ? AND expires_at > ?',
    );
    // Compare-and-delete in one statement: of two concurrent confirmations one deletes the row,
    // the other finds nothing.
    this.take = db.prepare<[string, OneTimePurpose, number], TokenRow>(
      'DELETE FROM one_time_tokens WHERE token_hash = ? AND purpose = ? AND expires_at > ? RETURNING *',
    );
    this.removeAll = db.prepare<[string]>('DELETE FROM one_time_tokens WHERE user_id = ?');
    this.removePurpose = db.prepare<[string, string]>('DELETE FROM one_time_tokens WHERE user_id = ? AND purpose = ?');
  }

  async issue(token: OneTimeToken): Promise<void> {
    sqlite(() => this.upsert.run({ ...token, emailKey: emailKey(token.email), expiresAt: token.expiresAt.getTime() }));
  }

  async find(purpose: OneTimePurpose, tokenHash: string, now: Date): Promise<OneTimeToken | null> {
    const row = sqlite(() => this.live.get(tokenHash, purpose, now.getTime()));
    return row ? toToken(row) : null;
  }

  async consume(purpose: OneTimePurpose, tokenHash: string, now: Date): Promise<OneTimeToken | null> {
    const row = sqlite(() => this.take.get(tokenHash, purpose, now.getTime()));
    return row ? toToken(row) : null;
  }

  async revoke(userId: string, purposes?: OneTimePurpose[]): Promise<void> {
    if (purposes === undefined) sqlite(() => this.removeAll.run(userId));
    else for (const purpose of purposes) sqlite(() => this.removePurpose.run(userId, purpose));
  }
}
