import { createSecretKey } from 'node:crypto';
import { AccessKeyRing, kidOf } from './access-keys';

const jwtWithHeader = (header: string) => `${Buffer.from(header).toString('base64url')}.e30.c2ln`;
const key = (secret: string) => createSecretKey(Buffer.from(secret));

describe('kidOf', () => {
  it('reads the kid of a header we could have written', () => {
    expect(kidOf(jwtWithHeader('{"alg":"HS256","typ":"JWT","kid":"2026-11"}'))).toBe('2026-11');
    expect(kidOf(jwtWithHeader('{ "kid" : "a", "alg" : "HS256" }'))).toBe('a');
  });

  it.each([
    ['no kid', '{"alg":"HS256","typ":"JWT"}'],
    ['a kid that is not a string', '{"alg":"HS256","kid":7}'],
    ['alg none', '{"alg":"none","kid":"a"}'],
    ['alg HS512', '{"alg":"HS512","kid":"a"}'],
    ['the kid twice', '{"alg":"HS256","kid":"a","kid":"b"}'],
    ['the alg twice', '{"alg":"none","alg":"HS256","kid":"a"}'],
    ['an escaped field name hiding a second kid', '{"alg":"HS256","kid":"a","k\\u0069d":"b"}'],
    ['a field we do not know', '{"alg":"HS256","kid":"a","jku":"https://evil.example"}'],
    ['a typ other than JWT', '{"alg":"HS256","kid":"a","typ":"JWE"}'],
    ['JSON that is not an object', '["alg","HS256"]'],
    ['broken JSON', '{"alg":"HS256","kid":"a"'],
    ['no JSON at all', 'not json'],
  ])('refuses %s', (_case, header) => {
    expect(kidOf(jwtWithHeader(header))).toBeNull();
  });
});

describe('AccessKeyRing', () => {
  const ring = new AccessKeyRing(
    [
      { kid: 'new', key: key('n'.repeat(32)) },
      { kid: 'older', key: key('o'.repeat(32)) },
    ],
    [{ kid: 'retired', key: key('r'.repeat(32)) }],
  );

  it('signs with the first key in use', () => {
    expect(ring.signing.kid).toBe('new');
  });

  it('finds keys in use, marks retired ones, and knows no other kid', () => {
    expect(ring.keyFor('new')?.retired).toBe(false);
    expect(ring.keyFor('older')?.retired).toBe(false);
    expect(ring.keyFor('retired')?.retired).toBe(true);
    expect(ring.keyFor('nobody')).toBeNull();
  });

  it('needs a key in use', () => {
    expect(() => new AccessKeyRing([], [{ kid: 'retired', key: key('r'.repeat(32)) }])).toThrow(/at least one key/);
  });
});
