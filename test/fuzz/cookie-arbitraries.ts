// The fuzz's generators of tokens, cookies and path ids: flipped and forged JWTs built from the
// fixture's real tokens, j: values with non-string fields, raw garbage, odd path encodings.
import fc from 'fast-check';
import { AuthCookieValue, COOKIE_NAME } from '../support/cookies';
import { own } from './oracle';
import { ALNUM, B64URL, b64urlString, charOf, deepValueRaw, headerString, hostileValueRaw, pct, SPECIAL_KEYS } from './arbitraries';

/* ------------------------------------------------------------------ generators: tokens and cookies */

export function flip(token: string, index: number, shift: number, alphabet: string): string {
  if (token.length === 0) return 'x';
  const at = index % token.length;
  const pos = alphabet.indexOf(token[at]);
  const next = alphabet[(Math.max(pos, 0) + 1 + (shift % (alphabet.length - 1))) % alphabet.length];
  return token.slice(0, at) + next + token.slice(at + 1);
}

/** Flips one character of one part of a JWT (0 header, 1 payload, 2 signature). */
export function flipJwt(token: string, part: number, index: number, shift: number): string {
  const parts = token.split('.');
  parts[part] = flip(parts[part], index, shift, B64URL);
  return parts.join('.');
}

export const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const decodeJwtPart = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

export interface Fixture {
  id: string;
  username: string;
  a1: AuthCookieValue;
  a2: AuthCookieValue;
  /** A victim user: nobody may change or end it through A's cookie or a fuzzed one. */
  c: { id: string; username: string; cookie: AuthCookieValue; sessionId: string };
  /** User B: a fresh session per case for the refresh-binding property. */
  b: { id: string; username: string; cookie: AuthCookieValue };
  kid: string;
}

/** A JWT we never signed: forged headers, algorithms, claims and signatures. */
export function forgedJwt(fx: Fixture, claimsOf: AuthCookieValue): fc.Arbitrary<string> {
  const payload = claimsOf.token.split('.')[1];
  const claims = decodeJwtPart(payload) as Record<string, unknown>;
  const sig = b64urlString(20, 86);
  return fc.oneof(
    sig.map((s) => `${b64json({ alg: 'none', typ: 'JWT' })}.${payload}.${s}`),
    sig.map((s) => `${b64json({ alg: 'none', typ: 'JWT', kid: fx.kid })}.${payload}.${s}`),
    fc.tuple(fc.constantFrom('HS512', 'HS384', 'RS256', 'ES256', 'PS256', 'none', 'NONE', 'hs256'), sig).map(([alg, s]) => `${b64json({ alg, typ: 'JWT', kid: fx.kid })}.${payload}.${s}`),
    sig.map((s) => `${b64json({ alg: 'HS256', typ: 'JWT', kid: fx.kid })}.${b64json({ ...claims, sub: fx.c.id })}.${s}`),
    fc.tuple(fc.jsonValue({ maxDepth: 2 }), sig).map(([header, s]) => `${b64json(header)}.${payload}.${s}`),
    fc.tuple(b64urlString(10, 60), b64urlString(10, 200), sig).map(([h, p, s]) => `${h}.${p}.${s}`),
    sig.map((s) => `${b64json({ alg: 'HS256', typ: 'JWT', kid: { $ne: null } })}.${payload}.${s}`),
  );
}

export interface CookieCase {
  header: string;
  /** Carries an unmodified real access token of the fixture (A1 or A2). */
  realJwt: boolean;
  note: string;
}

/** The j: value Express would write, percent-encoded, or sometimes raw (ASCII-escaped so Node sends it). */
export function jCookie(json: string, encode: boolean): string {
  const value = `j:${json}`;
  return encode ? encodeURIComponent(value) : value.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Cookie headers built from the fixture's real tokens (flipped, mixed, forged) and from nothing at all. */
export function cookieCases(fx: Fixture): fc.Arbitrary<CookieCase> {
  const realJwts = [fx.a1.token, fx.a2.token];
  const jwtValue: fc.Arbitrary<{ raw: string; real: boolean }> = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...realJwts).map((t) => ({ raw: JSON.stringify(t), real: true })) },
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom(...realJwts), fc.integer({ min: 0, max: 2 }), fc.nat(600), fc.nat(63)).map(([t, part, i, s]) => ({ raw: JSON.stringify(flipJwt(t, part, i, s)), real: false })),
    },
    { weight: 3, arbitrary: forgedJwt(fx, fx.a2).map((t) => ({ raw: JSON.stringify(t), real: false })) },
    { weight: 3, arbitrary: hostileValueRaw.map((raw) => ({ raw, real: false })) },
    { weight: 1, arbitrary: deepValueRaw.map((raw) => ({ raw, real: false })) },
    { weight: 1, arbitrary: fc.integer({ min: 2000, max: 20000 }).map((n) => ({ raw: JSON.stringify(`${'a'.repeat(n)}.${'b'.repeat(20)}.${'c'.repeat(20)}`), real: false })) },
    { weight: 1, arbitrary: fc.constantFrom(...realJwts).map((t) => ({ raw: JSON.stringify(`${t} `), real: false })) },
  );
  const refreshValue: fc.Arbitrary<string> = fc.oneof(
    // never the real refresh token here: with a real JWT beside it that would legitimately rotate
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(fx.a1.refreshToken, fx.a2.refreshToken), fc.nat(42), fc.nat(61)).map(([t, i, s]) => JSON.stringify(flip(t, i, s, ALNUM))) },
    { weight: 2, arbitrary: fc.string({ unit: charOf(ALNUM), minLength: 43, maxLength: 43 }).map((t) => JSON.stringify(t)) },
    { weight: 1, arbitrary: fc.constantFrom(fx.a2.refreshToken.slice(0, 42), `${fx.a2.refreshToken}x`, fx.a2.refreshToken.toLowerCase() === fx.a2.refreshToken ? 'x' : fx.a2.refreshToken.toLowerCase()).map((t) => JSON.stringify(t)) },
    { weight: 4, arbitrary: hostileValueRaw },
    { weight: 1, arbitrary: deepValueRaw },
  );
  const extraEntries = fc.array(fc.tuple(fc.constantFrom(...SPECIAL_KEYS, 'token', 'refreshToken'), hostileValueRaw), { maxLength: 2 });
  const jObject = fc.tuple(fc.option(jwtValue, { nil: undefined }), fc.option(refreshValue, { nil: undefined }), extraEntries, fc.boolean()).map(([jwt, refresh, extra, extraFirst]) => {
    const own = [...(jwt ? [`"token":${jwt.raw}`] : []), ...(refresh !== undefined ? [`"refreshToken":${refresh}`] : [])];
    const others = extra.map(([k, v]) => `${JSON.stringify(k)}:${v}`);
    // a later duplicate key wins in JSON.parse: an extra "token" after the real one replaces it
    const entries = extraFirst ? [...others, ...own] : [...own, ...others];
    // conservative: a real token anywhere in the cookie counts as riding along
    return { json: `{${entries.join(',')}}`, realJwt: jwt?.real === true };
  });
  const value: fc.Arbitrary<{ value: string; realJwt: boolean; note: string }> = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(jObject, fc.boolean()).map(([o, enc]) => ({ value: jCookie(o.json, enc || o.json.includes(';')), realJwt: o.realJwt, note: 'j: object' })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ value: jCookie(JSON.stringify(v), true), realJwt: false, note: 'j: any JSON' })) },
    { weight: 2, arbitrary: headerString(120).map((s) => ({ value: s.replace(/;/g, '%3B'), realJwt: false, note: 'raw' })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('j:', 'j:{', 'j:null', 'j:[]', 'j:"x"', 'j:%7B', '%', '%zz', '%E0%A4%A', 's:j:{}', 'J:{}', ' j:{}', 'j:{"token":"a"', '""', '"j:{}"').map((value) => ({ value, realJwt: false, note: 'garbled' })),
    },
    { weight: 1, arbitrary: fc.integer({ min: 4000, max: 20000 }).map((n) => ({ value: jCookie(`{"token":"${'t'.repeat(n)}","refreshToken":"${'r'.repeat(43)}"}`, true), realJwt: false, note: 'huge' })) },
  );
  const name = fc.constantFrom(COOKIE_NAME, COOKIE_NAME, COOKIE_NAME, COOKIE_NAME.toUpperCase(), `${COOKIE_NAME} `, '__proto__', 'constructor', `${COOKIE_NAME}[token]`);
  const otherCookies = fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'x', COOKIE_NAME), headerString(30).map((s) => s.replace(/[;,]/g, ''))), { maxLength: 2 });
  return fc.tuple(name, value, otherCookies, fc.boolean()).map(([n, v, others, before]) => {
    const pairs = others.map(([k, val]) => `${k}=${val}`);
    const main = `${n}=${v.value}`;
    return {
      header: (before ? [...pairs, main] : [main, ...pairs]).join('; '),
      // conservative: whatever the cookie's name or position, a real token counts as riding along
      realJwt: v.realJwt,
      note: v.note,
    };
  });
}

/** Path ids: random, encoded, malformed encodings, unicode, dot segments, very long. */
export const pathId: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
  { weight: 2, arbitrary: fc.tuple(fc.uuid(), fc.constantFrom('%00', '%20', '/', '%2F', '%2F..', '..', '.json', '%0A', '%E2%80%8B', '%u0000', '}', '?x=1', '#', ';', '%3B')).map(([u, s]) => u + s) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map(pct) },
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }).map((s) => s.replace(/[/?#%]/g, pct)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%C0%80', '%00', '..', '.', '%2e%2e', '%2F', 'a%2Fb', '..%2F..%2Fauth%2Fme', '%252F', 'null', 'undefined',
      '0', '-1', '1e999', '%5Bobject%20Object%5D', '__proto__', 'constructor', 'prototype', '%7B%22%24gt%22%3A%22%22%7D', '%24where', '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff', '%7B00000000-0000-4000-8000-000000000000%7D', 'urn:uuid:00000000-0000-4000-8000-000000000000', '%E2%80%AE', '%EF%BB%BF', '%F0%9F%92%A9',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 20000 }).map((n) => 'a'.repeat(n)) },
);
