import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Store } from '../../src/storage/store';
import { OneTimeToken } from '../../src/users/one-time-tokens.repository';
import { describeOnEachStore, freshStoreFor } from '../support/stores';

const MINUTE = 60_000;

/** The OneTimeTokensRepository port (password reset, e-mail verification), on every adapter. */
describeOnEachStore('OneTimeTokensRepository contract', (kind) => {
  const fresh = freshStoreFor(kind);

  const now = new Date();
  const at = (minutes: number) => new Date(now.getTime() + minutes * MINUTE);
  const hash = () => createHash('sha256').update(randomBytes(32)).digest('base64url');
  const token = (overrides: Partial<OneTimeToken> = {}): OneTimeToken => ({
    tokenHash: hash(),
    purpose: 'password_reset',
    userId: randomUUID(),
    email: 'someone@example.org',
    expiresAt: at(30),
    ...overrides,
  });

  it('finds a live token by hash and purpose, without using it up', async () => {
    const issued = token();
    await fresh.store.oneTimeTokens.issue(issued);
    expect(await fresh.store.oneTimeTokens.find('password_reset', issued.tokenHash, now)).toEqual(issued);
    expect(await fresh.store.oneTimeTokens.find('password_reset', issued.tokenHash, now)).toEqual(issued);
    expect(await fresh.store.oneTimeTokens.find('email_verification', issued.tokenHash, now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('password_reset', hash(), now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('password_reset', '{"$gt":""}', now)).toBeNull();
  });

  it('consumes a token once', async () => {
    const issued = token();
    await fresh.store.oneTimeTokens.issue(issued);
    expect(await fresh.store.oneTimeTokens.consume('email_verification', issued.tokenHash, now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.consume('password_reset', issued.tokenHash, now)).toEqual(issued);
    expect(await fresh.store.oneTimeTokens.consume('password_reset', issued.tokenHash, now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('password_reset', issued.tokenHash, now)).toBeNull();
  });

  it('gives a token to exactly one of many concurrent consumers', async () => {
    const issued = token();
    await fresh.store.oneTimeTokens.issue(issued);
    const results = await Promise.all(Array.from({ length: 8 }, () => fresh.store.oneTimeTokens.consume('password_reset', issued.tokenHash, now)));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('treats an expired token as absent and leaves it in place', async () => {
    const issued = token({ expiresAt: at(1) });
    await fresh.store.oneTimeTokens.issue(issued);
    expect(await fresh.store.oneTimeTokens.find('password_reset', issued.tokenHash, at(2))).toBeNull();
    expect(await fresh.store.oneTimeTokens.consume('password_reset', issued.tokenHash, at(2))).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('password_reset', issued.tokenHash, now)).toEqual(issued);
  });

  it('keeps one live token per user and purpose: a newer one retires the older', async () => {
    const userId = randomUUID();
    const older = token({ userId });
    const newer = token({ userId });
    const verification = token({ userId, purpose: 'email_verification' });
    await fresh.store.oneTimeTokens.issue(older);
    await fresh.store.oneTimeTokens.issue(verification);
    await fresh.store.oneTimeTokens.issue(newer);
    expect(await fresh.store.oneTimeTokens.consume('password_reset', older.tokenHash, now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('email_verification', verification.tokenHash, now)).toEqual(verification);
    expect(await fresh.store.oneTimeTokens.consume('password_reset', newer.tokenHash, now)).toEqual(newer);
  });

  it('keeps a token mailed to another address: one live token per user, purpose and address (case-insensitive)', async () => {
    const userId = randomUUID();
    const toOld = token({ userId, purpose: 'secure_account', email: 'old@example.org' });
    const toNew = token({ userId, purpose: 'secure_account', email: 'new@example.org' });
    const toOldAgain = token({ userId, purpose: 'secure_account', email: 'OLD@example.org' });
    await fresh.store.oneTimeTokens.issue(toOld);
    await fresh.store.oneTimeTokens.issue(toNew);
    expect(await fresh.store.oneTimeTokens.find('secure_account', toOld.tokenHash, now)).toEqual(toOld);
    await fresh.store.oneTimeTokens.issue(toOldAgain);
    expect(await fresh.store.oneTimeTokens.find('secure_account', toOld.tokenHash, now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('secure_account', toOldAgain.tokenHash, now)).toEqual(toOldAgain);
    expect(await fresh.store.oneTimeTokens.find('secure_account', toNew.tokenHash, now)).toEqual(toNew);
  });

  it("retires a user's tokens of the named purposes only, and nobody else's", async () => {
    const userId = randomUUID();
    const reset = token({ userId });
    const verification = token({ userId, purpose: 'email_verification' });
    const secure = token({ userId, purpose: 'secure_account' });
    const theirs = token();
    for (const t of [reset, verification, secure, theirs]) await fresh.store.oneTimeTokens.issue(t);
    await fresh.store.oneTimeTokens.revoke(userId, ['password_reset', 'email_verification']);
    expect(await fresh.store.oneTimeTokens.find('password_reset', reset.tokenHash, now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('email_verification', verification.tokenHash, now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('secure_account', secure.tokenHash, now)).toEqual(secure);
    expect(await fresh.store.oneTimeTokens.find('password_reset', theirs.tokenHash, now)).toEqual(theirs);
  });

  it("retires all of a user's tokens, and nobody else's", async () => {
    const userId = randomUUID();
    const mine = [token({ userId }), token({ userId, purpose: 'email_verification' }), token({ userId, purpose: 'secure_account' })];
    const theirs = token();
    for (const t of [...mine, theirs]) await fresh.store.oneTimeTokens.issue(t);
    await fresh.store.oneTimeTokens.revoke(userId);
    for (const t of mine) expect(await fresh.store.oneTimeTokens.find(t.purpose, t.tokenHash, now)).toBeNull();
    expect(await fresh.store.oneTimeTokens.find('password_reset', theirs.tokenHash, now)).toEqual(theirs);
  });
});
