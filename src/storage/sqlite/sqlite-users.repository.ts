import { emailKey } from '../../users/email';
import { NewUser, User } from '../../users/user';
import { UserPage, UsersRepository } from '../../users/users.repository';
import { SqliteDatabase, sqlite } from './sqlite-database';

interface UserRow {
  id: string;
  username: string;
  name: string;
  password_hash: string;
  email: string | null;
  email_verified: number;
  created_at: number;
  updated_at: number;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  name: row.name,
  passwordHash: row.password_hash,
  email: row.email,
  emailVerified: row.email_verified === 1,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

export class SqliteUsersRepository extends UsersRepository {
  private readonly insert;
  private readonly byId;
  private readonly byUsername;
  private readonly byVerifiedEmail;
  private readonly page;
  private readonly count;
  private readonly change;
  private readonly changeAddress;
  private readonly verifyAddress;
  private readonly remove;

  constructor(db: SqliteDatabase) {
    super();
    this.insert = db.prepare(
      `INSERT INTO users (id, username, name, password_hash, email, email_verified, created_at, updated_at)
       VALUES (@id, @username, @name, @passwordHash, @email, 0, @createdAt, @createdAt)`,
    );
    this.byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
    this.byUsername = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
    this.byVerifiedEmail = db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_key = ?');
    this.page = db.prepare<[number, number], UserRow>('SELECT * FROM users ORDER BY created_at, id LIMIT ? OFFSET ?');
    this.count = db.prepare<[], { total: number }>('SELECT COUNT(*) AS total FROM users');
    this.change = db.prepare(
      `UPDATE users SET name = COALESCE(@name, name), password_hash = COALESCE(@passwordHash, password_hash),
       updated_at = @updatedAt WHERE id = @id`,
    );
    this.changeAddress = db.prepare(
      'UPDATE users SET email = @email, email_verified = 0, email_key = NULL, updated_at = @updatedAt WHERE id = @id',
    );
    this.verifyAddress = db.prepare(
      'UPDATE users SET email_verified = 1, email_key = @emailKey, updated_at = @updatedAt WHERE id = @id AND email = @email',
    );
    // The user's second factors and pending sign-ins go with them, in the same transaction.
    const removeUser = db.prepare<[string]>('DELETE FROM users WHERE id = ?');
    const removeOwned = ['totp_factors', 'recovery_codes', 'pending_sign_ins', 'remembered_devices'].map((table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE user_id = ?`));
    this.remove = db.transaction((id: string) => {
      for (const statement of removeOwned) statement.run(id);
      return removeUser.run(id);
    });
  }

  async create(user: NewUser): Promise<User> {
    sqlite(() => this.insert.run({ ...user, email: user.email ?? null, createdAt: user.createdAt.getTime() }));
    return { ...user, email: user.email ?? null, emailVerified: false, updatedAt: user.createdAt };
  }

  async findById(id: string): Promise<User | null> {
    const row = sqlite(() => this.byId.get(id));
    return row ? toUser(row) : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const row = sqlite(() => this.byUsername.get(username));
    return row ? toUser(row) : null;
  }

  async findByVerifiedEmail(email: string): Promise<User | null> {
    const row = sqlite(() => this.byVerifiedEmail.get(emailKey(email)));
    return row ? toUser(row) : null;
  }

  async list({ offset, limit }: { offset: number; limit: number }): Promise<UserPage> {
    return sqlite(() => ({
      items: this.page.all(limit, offset).map(toUser),
      total: this.count.get()!.total,
    }));
  }

  async update(id: string, changes: { name?: string; passwordHash?: string; updatedAt: Date }): Promise<User | null> {
    const result = sqlite(() =>
      this.change.run({
        id,
        name: changes.name ?? null,
        passwordHash: changes.passwordHash ?? null,
        updatedAt: changes.updatedAt.getTime(),
      }),
    );
    return result.changes === 0 ? null : this.findById(id);
  }

  async changeEmail(id: string, email: string, updatedAt: Date): Promise<User | null> {
    const result = sqlite(() => this.changeAddress.run({ id, email, updatedAt: updatedAt.getTime() }));
    return result.changes === 0 ? null : this.findById(id);
  }

  async markEmailVerified(id: string, email: string, updatedAt: Date): Promise<User | null> {
    const result = sqlite(() => this.verifyAddress.run({ id, email, emailKey: emailKey(email), updatedAt: updatedAt.getTime() }));
    return result.changes === 0 ? null : this.findById(id);
  }

  async delete(id: string): Promise<boolean> {
    return sqlite(() => this.remove(id)).changes > 0;
  }
}
