import { randomUUID } from 'node:crypto';
import { ClientInfo } from '../../src/common/client';
import { loadAppConfig } from '../../src/config/app-config';
import { LoginLockout } from '../../src/throttling/login-lockout';
import { describeOnEachStore, freshStoreFor } from '../support/stores';

const MAX_FAILURES = 3;
const client: ClientInfo = { ip: '127.0.0.1', userAgent: 'jest' };

/** LoginLockout's counting on a real store's counters: who is counted, when a slot comes back. */
describeOnEachStore('lockout counting', (kind) => {
  const fresh = freshStoreFor(kind);
  let lockout: LoginLockout;
  beforeAll(() => {
    const config = loadAppConfig({ ...fresh.env, LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_FAILURE_WINDOW: '15m', LOGIN_LOCKOUT: '15m' });
    lockout = new LoginLockout(fresh.store.counters, config);
  });

  const user = () => ({ username: `u_${randomUUID().slice(0, 8)}`, deviceId: null });

  it('grants LOGIN_MAX_FAILURES checks, then refuses with the time left', async () => {
    const subject = user();
    for (let i = 0; i < MAX_FAILURES; i++) expect((await lockout.take(subject, client)).granted).toBe(true);
    const refused = await lockout.take(subject, client);
    expect(refused).toEqual({ granted: false, retryAfterSeconds: expect.any(Number) });
    expect(refused.granted === false && refused.retryAfterSeconds).toBeGreaterThan(14 * 60);
  });

  it('does not count a check whose slot was given back (a right password)', async () => {
    const subject = user();
    for (let i = 0; i < MAX_FAILURES * 2; i++) {
      const slot = await lockout.take(subject, client);
      if (!slot.granted) throw new Error(`refused at check ${i + 1}`);
      await lockout.giveBack(slot);
    }
    expect((await lockout.take(subject, client)).granted).toBe(true);
  });

  it('counts a device that proved the password apart from its username, and devices apart from each other', async () => {
    const { username } = user();
    for (let i = 0; i <= MAX_FAILURES; i++) await lockout.take({ username, deviceId: null }, client);
    expect((await lockout.take({ username, deviceId: null }, client)).granted).toBe(false);
    const device = { username, deviceId: 'device-a' };
    for (let i = 0; i < MAX_FAILURES; i++) expect((await lockout.take(device, client)).granted).toBe(true);
    expect((await lockout.take(device, client)).granted).toBe(false);
    expect((await lockout.take({ username, deviceId: 'device-b' }, client)).granted).toBe(true);
  });

  it("clears a locked username's count and lock (a password reset), and only that username's", async () => {
    const locked = user();
    const other = user();
    for (let i = 0; i <= MAX_FAILURES; i++) {
      await lockout.take(locked, client);
      await lockout.take(other, client);
    }
    expect((await lockout.take(locked, client)).granted).toBe(false);
    await lockout.clear(locked.username);
    for (let i = 0; i < MAX_FAILURES; i++) expect((await lockout.take(locked, client)).granted).toBe(true);
    expect((await lockout.take(other, client)).granted).toBe(false);
    await lockout.clear(user().username); // an unknown key is fine
  });
});
