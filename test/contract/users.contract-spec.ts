import { randomUUID } from 'node:crypto';
import { DuplicateKeyError } from '../../src/storage/storage.errors';
import { Store } from '../../src/storage/store';
import { NewUser } from '../../src/users/user';
import { describeOnEachStore, freshStoreFor } from '../support/stores';

/** The UsersRepository port, run unchanged against every adapter on a real store. */
describeOnEachStore('UsersRepository contract', (kind) => {
  const fresh = freshStoreFor(kind);

  let clock = Date.parse('2026-01-01T00:00:00Z');
  const newUser = (overrides: Partial<NewUser> = {}): NewUser => ({
    id: randomUUID(),
    username: `u${randomUUID().slice(0, 12)}`,
    name: 'Someone',
    passwordHash: '$2b$04$abcdefghijklmnopqrstuuQ0123456789012345678901234567890',
    createdAt: new Date((clock += 1000)),
    ...overrides,
  });

  it('creates and finds a user by id and by username, dates intact', async () => {
    const user = newUser();
    const created = await fresh.store.users.create(user);
    expect(created).toEqual({ ...user, email: null, emailVerified: false, updatedAt: user.createdAt });
    expect(await fresh.store.users.findById(user.id)).toEqual(created);
    expect(await fresh.store.users.findByUsername(user.username)).toEqual(created);
  });

  it('answers null for unknown ids and usernames, including odd strings', async () => {
    expect(await fresh.store.users.findById(randomUUID())).toBeNull();
    expect(await fresh.store.users.findByUsername('nobody')).toBeNull();
    expect(await fresh.store.users.findById('not-a-uuid')).toBeNull();
    expect(await fresh.store.users.findByUsername('{"$gt":""}')).toBeNull();
  });

  it('refuses a second user with the same username with DuplicateKeyError("username")', async () => {
    const first = newUser();
    await fresh.store.users.create(first);
    const error = await fresh.store.users.create(newUser({ username: first.username })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateKeyError);
    expect((error as DuplicateKeyError).field).toBe('username');
  });

  it('lists oldest first with a total, by offset and limit', async () => {
    const before = await fresh.store.users.list({ offset: 0, limit: 1000 });
    const added = [newUser(), newUser(), newUser()];
    for (const user of added) await fresh.store.users.create(user);
    const all = await fresh.store.users.list({ offset: 0, limit: 1000 });
    expect(all.total).toBe(before.total + 3);
    expect(all.items.slice(-3).map((u) => u.id)).toEqual(added.map((u) => u.id));
    const page = await fresh.store.users.list({ offset: before.total + 1, limit: 1 });
    expect(page.items.map((u) => u.id)).toEqual([added[1].id]);
    expect(page.total).toBe(all.total);
  });

  it('updates name and password hash independently', async () => {
    const user = newUser();
    await fresh.store.users.create(user);
    const renamed = await fresh.store.users.update(user.id, { name: 'New Name', updatedAt: new Date(clock + 5000) });
    expect(renamed).toMatchObject({ name: 'New Name', passwordHash: user.passwordHash, updatedAt: new Date(clock + 5000) });
    const rehashed = await fresh.store.users.update(user.id, { passwordHash: 'other-hash', updatedAt: new Date(clock + 6000) });
    expect(rehashed).toMatchObject({ name: 'New Name', passwordHash: 'other-hash' });
    expect(await fresh.store.users.update(randomUUID(), { name: 'x', updatedAt: new Date() })).toBeNull();
  });

  it('deletes a user once', async () => {
    const user = newUser();
    await fresh.store.users.create(user);
    expect(await fresh.store.users.delete(user.id)).toBe(true);
    expect(await fresh.store.users.findById(user.id)).toBeNull();
    expect(await fresh.store.users.delete(user.id)).toBe(false);
  });

  it('keeps a given address unverified and findable by nobody until it is verified', async () => {
    const user = newUser({ email: 'Ada.King@Example.org' });
    expect(await fresh.store.users.create(user)).toMatchObject({ email: 'Ada.King@Example.org', emailVerified: false });
    expect(await fresh.store.users.findByVerifiedEmail('ada.king@example.org')).toBeNull();
    const verified = await fresh.store.users.markEmailVerified(user.id, 'Ada.King@Example.org', new Date(clock + 1000));
    expect(verified).toMatchObject({ email: 'Ada.King@Example.org', emailVerified: true, updatedAt: new Date(clock + 1000) });
    expect(await fresh.store.users.findByVerifiedEmail('ADA.KING@example.ORG')).toEqual(verified);
    expect(await fresh.store.users.findByVerifiedEmail('{"$gt":""}')).toBeNull();
  });

  it('lets two accounts give one address, but only one verify it (case-insensitively)', async () => {
    const first = newUser({ email: 'shared@example.org' });
    const second = newUser({ email: 'SHARED@example.org' });
    await fresh.store.users.create(first);
    await fresh.store.users.create(second);
    await fresh.store.users.markEmailVerified(first.id, 'shared@example.org', new Date());
    const error = await fresh.store.users.markEmailVerified(second.id, 'SHARED@example.org', new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateKeyError);
    expect((error as DuplicateKeyError).field).toBe('email');
    expect(await fresh.store.users.findById(second.id)).toMatchObject({ emailVerified: false });
    expect((await fresh.store.users.findByVerifiedEmail('shared@example.org'))?.id).toBe(first.id);
  });

  it('verifies only the address the user still has', async () => {
    const user = newUser({ email: 'old@example.org' });
    await fresh.store.users.create(user);
    expect(await fresh.store.users.markEmailVerified(user.id, 'other@example.org', new Date())).toBeNull();
    expect(await fresh.store.users.markEmailVerified(randomUUID(), 'old@example.org', new Date())).toBeNull();
    expect(await fresh.store.users.findById(user.id)).toMatchObject({ email: 'old@example.org', emailVerified: false });
  });

  it('changes the address to a new unverified one and lets the old verified one go', async () => {
    const user = newUser({ email: 'before@example.org' });
    await fresh.store.users.create(user);
    await fresh.store.users.markEmailVerified(user.id, 'before@example.org', new Date());
    const changed = await fresh.store.users.changeEmail(user.id, 'after@example.org', new Date(clock + 2000));
    expect(changed).toMatchObject({ email: 'after@example.org', emailVerified: false, updatedAt: new Date(clock + 2000) });
    expect(await fresh.store.users.findByVerifiedEmail('before@example.org')).toBeNull();
    const other = newUser({ email: 'before@example.org' });
    await fresh.store.users.create(other);
    expect(await fresh.store.users.markEmailVerified(other.id, 'before@example.org', new Date())).toMatchObject({ emailVerified: true });
    expect(await fresh.store.users.changeEmail(randomUUID(), 'x@example.org', new Date())).toBeNull();
  });

  it('answers its health ping', async () => {
    await expect(fresh.store.health.ping()).resolves.toBeUndefined();
  });
});
