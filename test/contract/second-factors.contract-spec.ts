import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SealedSecret } from '../../src/mfa/second-factors.repository';
import { describeOnEachStore, freshStoreFor } from '../support/stores';

const MINUTE = 60_000;

/** The SecondFactorsRepository port (TOTP secrets, recovery codes, pending sign-ins), on every adapter. */
describeOnEachStore('SecondFactorsRepository contract', (kind) => {
  const fresh = freshStoreFor(kind);
  const repo = () => fresh.store.secondFactors;

  const now = new Date();
  const at = (minutes: number) => new Date(now.getTime() + minutes * MINUTE);
  const hash = () => createHash('sha256').update(randomBytes(32)).digest('base64url');
  const secret = (keyId = 'k1'): SealedSecret => ({ keyId, sealed: randomBytes(48).toString('base64url') });

  describe('TOTP', () => {
    it('keeps an unconfirmed secret until a code confirms it, then refuses to replace it', async () => {
      const userId = randomUUID();
      const first = secret();
      const second = secret('k2');
      expect(await repo().startTotp(userId, first, now)).toBe(true);
      expect(await repo().startTotp(userId, second, now)).toBe(true); // an unconfirmed one is replaced
      expect(await repo().findTotp(userId)).toMatchObject({ userId, secret: second, confirmed: false, lastStep: null });
      expect(await repo().useTotpStep(userId, 100)).toBe(false); // unconfirmed: signs nobody in
      expect(await repo().confirmTotp(userId, 100)).toBe(true);
      expect(await repo().confirmTotp(userId, 101)).toBe(false);
      expect(await repo().startTotp(userId, secret('k3'), now)).toBe(false);
      expect(await repo().findTotp(userId)).toMatchObject({ secret: second, confirmed: true, lastStep: 100 });
    });

    it('accepts each time step once, and never an older one after a newer', async () => {
      const userId = randomUUID();
      await repo().startTotp(userId, secret(), now);
      await repo().confirmTotp(userId, 100);
      expect(await repo().useTotpStep(userId, 100)).toBe(false); // the confirming code's step is used
      expect(await repo().useTotpStep(userId, 101)).toBe(true);
      expect(await repo().useTotpStep(userId, 101)).toBe(false);
      expect(await repo().useTotpStep(userId, 100)).toBe(false);
      expect(await repo().useTotpStep(userId, 102)).toBe(true);
      expect(await repo().useTotpStep(randomUUID(), 103)).toBe(false); // no such user
    });

    it('gives one step to exactly one of many concurrent uses', async () => {
      const userId = randomUUID();
      await repo().startTotp(userId, secret(), now);
      await repo().confirmTotp(userId, 1);
      const results = await Promise.all(Array.from({ length: 8 }, () => repo().useTotpStep(userId, 2)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('stores a secret sealed anew, keeping its state', async () => {
      const userId = randomUUID();
      await repo().startTotp(userId, secret('old'), now);
      await repo().confirmTotp(userId, 7);
      const resealed = secret('new');
      await repo().resealTotp(userId, resealed);
      expect(await repo().findTotp(userId)).toMatchObject({ secret: resealed, confirmed: true, lastStep: 7 });
    });

    it('removes a secret', async () => {
      const userId = randomUUID();
      await repo().startTotp(userId, secret(), now);
      expect(await repo().removeTotp(userId)).toBe(true);
      expect(await repo().removeTotp(userId)).toBe(false);
      expect(await repo().findTotp(userId)).toBeNull();
    });
  });

  describe('recovery codes', () => {
    it('replaces all of a user’s codes, counts them and uses each once', async () => {
      const userId = randomUUID();
      const old = [hash(), hash()];
      const next = [hash(), hash(), hash()];
      await repo().replaceRecoveryCodes(userId, old);
      await repo().replaceRecoveryCodes(userId, next);
      expect(await repo().countRecoveryCodes(userId)).toBe(3);
      expect(await repo().summary(userId)).toEqual({ totp: false, recoveryCodesLeft: 3 });
      await repo().startTotp(userId, secret(), now);
      expect((await repo().summary(userId)).totp).toBe(false); // not confirmed yet
      await repo().confirmTotp(userId, 1);
      expect(await repo().summary(userId)).toEqual({ totp: true, recoveryCodesLeft: 3 });
      expect(await repo().useRecoveryCode(userId, old[0])).toBe(false);
      expect(await repo().useRecoveryCode(randomUUID(), next[0])).toBe(false); // another user's code
      expect(await repo().useRecoveryCode(userId, next[0])).toBe(true);
      expect(await repo().useRecoveryCode(userId, next[0])).toBe(false);
      expect(await repo().countRecoveryCodes(userId)).toBe(2);
      await repo().replaceRecoveryCodes(userId, []);
      expect(await repo().countRecoveryCodes(userId)).toBe(0);
    });

    it('gives one code to exactly one of many concurrent uses', async () => {
      const userId = randomUUID();
      const code = hash();
      await repo().replaceRecoveryCodes(userId, [code]);
      const results = await Promise.all(Array.from({ length: 8 }, () => repo().useRecoveryCode(userId, code)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('pending sign-ins', () => {
    it('finds a live one, ends it after too many wrong codes, and treats an expired one as absent', async () => {
      const userId = randomUUID();
      const token = hash();
      await repo().startPending(token, { userId, failures: 0, expiresAt: at(5) });
      expect(await repo().findPending(token, now)).toEqual({ userId, failures: 0, expiresAt: at(5) });
      expect(await repo().findPending(token, at(6))).toBeNull();
      expect(await repo().failPending(token, 3, at(6))).toBeNull();
      expect(await repo().failPending(token, 3, now)).toBe(1);
      expect(await repo().failPending(token, 3, now)).toBe(2);
      expect(await repo().failPending(token, 3, now)).toBe(3);
      expect(await repo().findPending(token, now)).toBeNull();
      expect(await repo().failPending(token, 3, now)).toBeNull();
    });

    it('completes a pending sign-in once, for exactly one of many concurrent completions', async () => {
      const token = hash();
      await repo().startPending(token, { userId: randomUUID(), failures: 0, expiresAt: at(5) });
      expect(await repo().consumePending(token, at(6))).toBeNull(); // expired at that time
      const results = await Promise.all(Array.from({ length: 8 }, () => repo().consumePending(token, now)));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await repo().findPending(token, now)).toBeNull();
    });
  });

  describe('remembered devices', () => {
    it('remembers a device per user until it expires, lists the live ones newest first, and forgets them all', async () => {
      const userId = randomUUID();
      await repo().rememberDevice(userId, { deviceId: 'd1', createdAt: at(-10), expiresAt: at(60) });
      await repo().rememberDevice(userId, { deviceId: 'd2', createdAt: at(-5), expiresAt: at(60) });
      await repo().rememberDevice(userId, { deviceId: 'old', createdAt: at(-20), expiresAt: at(-1) });
      expect(await repo().isRemembered(userId, 'd1', now)).toBe(true);
      expect(await repo().isRemembered(userId, 'd1', at(61))).toBe(false);
      expect(await repo().isRemembered(userId, 'old', now)).toBe(false);
      expect(await repo().isRemembered(randomUUID(), 'd1', now)).toBe(false); // another user's device
      expect((await repo().listRemembered(userId, now)).map((d) => d.deviceId)).toEqual(['d2', 'd1']);
      await repo().rememberDevice(userId, { deviceId: 'old', createdAt: now, expiresAt: at(60) }); // remembered again
      expect(await repo().isRemembered(userId, 'old', now)).toBe(true);
      await repo().forgetDevices(userId);
      expect(await repo().listRemembered(userId, now)).toEqual([]);
      expect(await repo().isRemembered(userId, 'd2', now)).toBe(false);
    });
  });

  it('forgets a user’s factors and pending sign-ins when the user is deleted', async () => {
    const user = await fresh.store.users.create({ id: randomUUID(), username: `u${randomUUID().slice(0, 8)}`, name: 'n', passwordHash: 'x', createdAt: now });
    const code = hash();
    const token = hash();
    await repo().startTotp(user.id, secret(), now);
    await repo().replaceRecoveryCodes(user.id, [code]);
    await repo().startPending(token, { userId: user.id, failures: 0, expiresAt: at(5) });
    await repo().rememberDevice(user.id, { deviceId: 'd', createdAt: now, expiresAt: at(60) });
    expect(await fresh.store.users.delete(user.id)).toBe(true);
    expect(await repo().isRemembered(user.id, 'd', now)).toBe(false);
    expect(await repo().findTotp(user.id)).toBeNull();
    expect(await repo().countRecoveryCodes(user.id)).toBe(0);
    expect(await repo().findPending(token, now)).toBeNull();
  });
});
