import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeOnEachStore, freshStoreFor } from '../support/stores';

const POINTS = 5;
const HITS = 12;
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const counts = (takes: { count: number }[]) => takes.map((t) => t.count).sort((a, b) => a - b);

/**
 * The counters every rate limit and lockout stands on, under concurrent first hits: the case
 * where two upserts both try to create a key's document and a real mongod refuses the second
 * with a duplicate key (code 11000), which must still count once.
 */
describeOnEachStore('counters under concurrent first hits', (kind) => {
  const fresh = freshStoreFor(kind);
  const counter = (windowSeconds: number) => fresh.store.counters.counter({ name: `c_${randomUUID().slice(0, 8)}`, points: POINTS, windowSeconds });

  it('counts concurrent first hits on a new key once each, and allows exactly its points', async () => {
    const limit = counter(60);
    const takes = await Promise.all(Array.from({ length: HITS }, () => limit.take('first')));
    expect(counts(takes)).toEqual(upTo(HITS));
    expect(takes.filter((t) => t.allowed)).toHaveLength(POINTS);
  });

  it('starts again from zero, under concurrent hits, a key whose window has passed but whose counter is still stored', async () => {
    // MongoDB's TTL monitor leaves an expired counter in place for up to a minute: the next
    // upsert does not match it, its insert meets the unique key (11000), and the counter is
    // replaced. The emulator of the jest:mongo stage keeps mongod's 60 s pass, so it goes this way.
    const limit = counter(1);
    for (let i = 0; i < POINTS + 2; i++) await limit.take('again');
    expect((await limit.take('again')).allowed).toBe(false);
    await sleep(1100);
    const takes = await Promise.all(Array.from({ length: HITS }, () => limit.take('again')));
    expect(counts(takes)).toEqual(upTo(HITS));
    expect(takes.filter((t) => t.allowed)).toHaveLength(POINTS);
  });
});
