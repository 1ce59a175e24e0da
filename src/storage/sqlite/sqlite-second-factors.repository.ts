import { PendingSignIn, RememberedDevice, SealedSecret, SecondFactorsRepository, TotpFactor } from '../../mfa/second-factors.repository';
import { SqliteDatabase, sqlite } from './sqlite-database';

interface TotpRow {
  user_id: string;
  key_id: string;
  sealed: string;
  confirmed: number;
  last_step: number | null;
  created_at: number;
}

interface PendingRow {
  user_id: string;
  failures: number;
  expires_at: number;
}

const toPending = (row: PendingRow): PendingSignIn => ({ userId: row.user_id, failures: row.failures, expiresAt: new Date(row.expires_at) });

/**
 * Second factors in three tables. Each rule that must hold across processes is one statement:
 * a time step is taken by an UPDATE guarded on the last step, a recovery code or a pending
 * sign-in by a DELETE … RETURNING. Expired pending sign-ins are deleted when new ones start.
 */
export class SqliteSecondFactorsRepository extends SecondFactorsRepository {
  private readonly start;
  private readonly totp;
  private readonly confirm;
  private readonly useStep;
  private readonly reseal;
  private readonly removeTotpRow;
  private readonly replaceCodes;
  private readonly useCode;
  private readonly countCodes;
  private readonly summaryOf;
  private readonly insertPending;
  private readonly livePending;
  private readonly failPendingRow;
  private readonly endPending;
  private readonly takePending;
  private readonly remember;
  private readonly remembered;
  private readonly listDevices;
  private readonly forgetAll;

  constructor(db: SqliteDatabase) {
    super();
    // Replaces an unconfirmed secret only: the WHERE on the upsert leaves a confirmed one as it is.
    this.start = db.prepare(
      `INSERT INTO totp_factors (user_id, key_id, sealed, confirmed, last_step, created_at)
       VALUES (@userId, @keyId, @sealed, 0, NULL, @createdAt)
       ON CONFLICT (user_id) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed, created_at = excluded.created_at
       WHERE totp_factors.confirmed = 0`,
    );
    this.totp = db.prepare<[string], TotpRow>('SELECT * FROM totp_factors WHERE user_id = ?');
    this.confirm = db.prepare<[number, string]>('UPDATE totp_factors SET confirmed = 1, last_step = ? WHERE user_id = ? AND confirmed = 0');
    this.useStep = db.prepare<[number, string, number]>(
      'UPDATE totp_factors SET last_step = ? WHERE user_id = ? AND confirmed = 1 AND (last_step IS NULL OR last_step < ?)',
    );
    this.reseal = db.prepare('UPDATE totp_factors SET key_id = @keyId, sealed = @sealed WHERE user_id = @userId');
    this.removeTotpRow = db.prepare<[string]>('DELETE FROM totp_factors WHERE user_id = ?');
    const deleteCodes = db.prepare<[string]>('DELETE FROM recovery_codes WHERE user_id = ?');
    const insertCode = db.prepare<[string, string]>('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)');
    this.replaceCodes = db.transaction((userId: string, hashes: string[]) => {
      deleteCodes.run(userId);
      for (const hash of hashes) insertCode.run(userId, hash);
    });
    this.useCode = db.prepare<[string, string]>('DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?');
    this.countCodes = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ?');
    this.summaryOf = db.prepare<[string, string], { totp: number | null; codes: number }>(
      'SELECT (SELECT confirmed FROM totp_factors WHERE user_id = ?) AS totp, (SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?) AS codes',
    );
    const deleteExpired = db.prepare<[number]>('DELETE FROM pending_sign_ins WHERE expires_at <= ?');
    const insert = db.prepare('INSERT INTO pending_sign_ins (token_hash, user_id, failures, expires_at) VALUES (@tokenHash, @userId, 0, @expiresAt)');
    this.insertPending = db.transaction((row: { tokenHash: string; userId: string; expiresAt: number }, now: number) => {
      deleteExpired.run(now);
      insert.run(row);
    });
    this.livePending = db.prepare<[string, number], PendingRow>('SELECT * FROM pending_sign_ins WHERE token_hash = ? AND expires_at > ?');
    this.failPendingRow = db.prepare<[string, number], { failures: number }>(
      'UPDATE pending_sign_ins SET failures = failures + 1 WHERE token_hash = ? AND expires_at > ? RETURNING failures',
    );
    this.endPending = db.prepare<[string]>('DELETE FROM pending_sign_ins WHERE token_hash = ?');
    this.takePending = db.prepare<[string, number], PendingRow>('DELETE FROM pending_sign_ins WHERE token_hash = ? AND expires_at > ? RETURNING *');
    // An expired row of the same device is simply overwritten; the others go with forgetDevices or the user.
    this.remember = db.prepare(
      `INSERT INTO remembered_devices (user_id, device_id, created_at, expires_at) VALUES (@userId, @deviceId, @createdAt, @expiresAt)
       ON CONFLICT (user_id, device_id) DO UPDATE SET created_at = excluded.created_at, expires_at = excluded.expires_at`,
    );
    this.remembered = db.prepare<[string, string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM remembered_devices WHERE user_id = ? AND device_id = ? AND expires_at > ?',
    );
    this.listDevices = db.prepare<[string, number], { device_id: string; created_at: number; expires_at: number }>(
      'SELECT device_id, created_at, expires_at FROM remembered_devices WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC',
    );
    this.forgetAll = db.prepare<[string]>('DELETE FROM remembered_devices WHERE user_id = ?');
  }

  async startTotp(userId: string, secret: SealedSecret, now: Date): Promise<boolean> {
    return sqlite(() => this.start.run({ userId, ...secret, createdAt: now.getTime() })).changes > 0;
  }

  async findTotp(userId: string): Promise<TotpFactor | null> {
    const row = sqlite(() => this.totp.get(userId));
    if (!row) return null;
    return {
      userId: row.user_id,
      secret: { keyId: row.key_id, sealed: row.sealed },
      confirmed: row.confirmed === 1,
      lastStep: row.last_step,
      createdAt: new Date(row.created_at),
    };
  }

  async confirmTotp(userId: string, step: number): Promise<boolean> {
    return sqlite(() => this.confirm.run(step, userId)).changes > 0;
  }

  async useTotpStep(userId: string, step: number): Promise<boolean> {
    return sqlite(() => this.useStep.run(step, userId, step)).changes > 0;
  }

  async resealTotp(userId: string, secret: SealedSecret): Promise<void> {
    sqlite(() => this.reseal.run({ userId, ...secret }));
  }

  async removeTotp(userId: string): Promise<boolean> {
    return sqlite(() => this.removeTotpRow.run(userId)).changes > 0;
  }

  async replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void> {
    sqlite(() => this.replaceCodes(userId, codeHashes));
  }

  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    return sqlite(() => this.useCode.run(userId, codeHash)).changes > 0;
  }

  async summary(userId: string): Promise<{ totp: boolean; recoveryCodesLeft: number }> {
    const row = sqlite(() => this.summaryOf.get(userId, userId))!;
    return { totp: row.totp === 1, recoveryCodesLeft: row.codes };
  }

  async countRecoveryCodes(userId: string): Promise<number> {
    return sqlite(() => this.countCodes.get(userId))!.n;
  }

  async startPending(tokenHash: string, pending: PendingSignIn): Promise<void> {
    sqlite(() => this.insertPending({ tokenHash, userId: pending.userId, expiresAt: pending.expiresAt.getTime() }, Date.now()));
  }

  async findPending(tokenHash: string, now: Date): Promise<PendingSignIn | null> {
    const row = sqlite(() => this.livePending.get(tokenHash, now.getTime()));
    return row ? toPending(row) : null;
  }

  async failPending(tokenHash: string, maxFailures: number, now: Date): Promise<number | null> {
    const row = sqlite(() => this.failPendingRow.get(tokenHash, now.getTime()));
    if (!row) return null;
    if (row.failures >= maxFailures) sqlite(() => this.endPending.run(tokenHash));
    return row.failures;
  }

  async consumePending(tokenHash: string, now: Date): Promise<PendingSignIn | null> {
    const row = sqlite(() => this.takePending.get(tokenHash, now.getTime()));
    return row ? toPending(row) : null;
  }

  async rememberDevice(userId: string, device: RememberedDevice): Promise<void> {
    sqlite(() => this.remember.run({ userId, deviceId: device.deviceId, createdAt: device.createdAt.getTime(), expiresAt: device.expiresAt.getTime() }));
  }

  async isRemembered(userId: string, deviceId: string, now: Date): Promise<boolean> {
    return sqlite(() => this.remembered.get(userId, deviceId, now.getTime()))!.n > 0;
  }

  async listRemembered(userId: string, now: Date): Promise<RememberedDevice[]> {
    return sqlite(() => this.listDevices.all(userId, now.getTime())).map((row) => ({
      deviceId: row.device_id,
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
    }));
  }

  async forgetDevices(userId: string): Promise<void> {
    sqlite(() => this.forgetAll.run(userId));
  }
}
