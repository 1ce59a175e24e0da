/**
 * Fuzz (issue 6, point 6): property-based tests that throw random and hostile bodies, query
 * strings, path ids and cookie values at every endpoint of the real app (the JSON API, and the
 * HTML form pages when src/pages is part of the build), over HTTP, no mocks.
 *
 * For every case: the status is never >= 500; the body never carries a stack trace, "Error:",
 * a bcrypt hash or "passwordHash" (unless it merely quotes text the fuzz itself sent or stored);
 * an HTML page never carries live markup from the input; and a refused request (>= 400) never
 * changes the store. The store check is real and cheap: a fixture user A stays signed in
 * (session A1); before the run we record GET /users total, A's GET /auth/me, A's GET
 * /auth/sessions (full records, so a rotation shows in lastUsedAt) and a victim user C (profile
 * and live session); after every mutating case, and after every batch of read-only cases, they
 * must be what the bookkeeping says (a valid signup adds exactly one user, a valid rename
 * renames, nothing else changes). A second session A2 feeds the refresh/logout cookie fuzzing
 * (flipped tokens; never its real refresh token) and must still refresh at the end; A's
 * password must still be the original; Object.prototype must stay clean. Accepted input must
 * also be input the DTOs allow, and an accepted display name must read back as sent.
 *
 * FUZZ_SEED (default 4242) seeds every property (each adds a stable offset from its name).
 * FUZZ_RUNS (default 120) is the run count of a standard property; the others run a multiple
 * or a fraction of it. FUZZ_VERBOSE=1 adds status counts per endpoint; FUZZ_TRACE=<file>
 * appends every case and its answer to that file. The suite ends with one plain line,
 * `fuzz: N cases across M endpoints (seed S)`, N counting the requests actually fired
 * (shrinking included).
 */
import fc from 'fast-check';
import { appendFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Response } from 'supertest';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, COOKIE_NAME, authCookieOf, cookieHeader } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, login, signup, uniqueName } from '../support/users';

const SEED = intFromEnv('FUZZ_SEED', 4242);
const BASE_RUNS = intFromEnv('FUZZ_RUNS', 120);
const runs = (weight: number) => Math.max(1, Math.round(BASE_RUNS * weight));
const TIMEOUT = 120_000 + BASE_RUNS * 3_000;
const BODY_LIMIT = 100 * 1024;

const stats = { cases: 0, endpoints: new Set<string>(), statuses: new Map<string, Map<number, number>>() };

/** FUZZ_TRACE=<file> appends every case and its answer to that file. */
function trace(text: string): void {
  if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${text}\n---\n`);
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

/* ------------------------------------------------------------------ requests and checks */

type Method = 'get' | 'post' | 'patch' | 'delete';

interface Body {
  contentType?: string;
  raw: string | Buffer;
}

interface Case {
  /** The route template, for the endpoint count and the report. */
  endpoint: string;
  method: Method;
  /** Already percent-encoded where it needs to be. */
  path: string;
  cookie?: string;
  body?: Body;
  headers?: Record<string, string>;
}

const cut = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
const bodyText = (body?: Body) => (body === undefined ? '' : typeof body.raw === 'string' ? body.raw : body.raw.toString('latin1'));

function describeCase(c: Case, res?: Response): string {
  const lines = [`${c.method.toUpperCase()} ${cut(c.path, 300)}   [${c.endpoint}]`];
  if (c.cookie !== undefined) lines.push(`Cookie: ${cut(c.cookie, 300)}`);
  for (const [k, v] of Object.entries(c.headers ?? {})) lines.push(`${k}: ${cut(v, 200)}`);
  if (c.body) lines.push(`Content-Type: ${c.body.contentType ?? '(none)'}`, `body: ${cut(JSON.stringify(bodyText(c.body)), 600)}`);
  if (res) lines.push(`=> ${res.status} ${cut(res.text ?? '', 600)}`);
  return lines.join('\n');
}

class FuzzFailure extends Error {
  constructor(what: string, c: Case, res?: Response) {
    super(`${what}\n${describeCase(c, res)}`);
    this.name = 'FuzzFailure';
  }
}

const STACK_FRAME = /\bat\s+(?:[^\s()]+\s+)?\(?(?:\/|[A-Za-z]:\\|file:|node:)[^\s)]*/g;
const LEAKS: RegExp[] = [STACK_FRAME, /Error:/g, /\$2[abxy]?\$\d\d\$/g, /passwordHash/g];

/**
 * Everything accepted requests have stored (names, user agents...): a later page or list that
 * shows it back quotes the fuzz's own text, not ours.
 */
let storedText = '';

/** Text the case itself sent, or an earlier one stored: a response that quotes it back leaks nothing of ours. */
function sentText(c: Case): string {
  return `${ownText(c)}\n${storedText}`;
}

function ownText(c: Case): string {
  const parts = [c.path, c.cookie ?? '', bodyText(c.body), ...Object.values(c.headers ?? {})];
  const all = parts.join('\n');
  const decoded = parts
    .map((part) => {
      try {
        return decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        return part;
      }
    })
    .join('\n');
  let parsed = '';
  try {
    parsed = JSON.stringify(JSON.parse(bodyText(c.body)));
  } catch {
    /* not JSON */
  }
  return `${all}\n${decoded}\n${parsed}`;
}

function checkResponse(c: Case, res: Response): void {
  if (res.status >= 500) throw new FuzzFailure(`status ${res.status} (>= 500)`, c, res);
  const text = res.text ?? '';
  const sent = sentText(c);
  for (const pattern of LEAKS) {
    for (const match of text.matchAll(pattern)) {
      if (!sent.includes(match[0])) throw new FuzzFailure(`response leaks ${JSON.stringify(match[0])} (pattern ${pattern})`, c, res);
    }
  }
  if (/html/.test(String(res.headers['content-type'] ?? ''))) {
    const injected = htmlInjection(text);
    if (injected) throw new FuzzFailure(`HTML page carries live markup from the input: ${JSON.stringify(injected)}`, c, res);
  }
  const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  if (!isDeepStrictEqual(protoKeys, CLEAN_PROTO_KEYS)) throw new FuzzFailure(`Object.prototype polluted: ${protoKeys.join(',')}`, c, res);
}

const CLEAN_PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/**
 * The pages have no script and no event handlers of their own, and every attribute value is
 * double-quoted: a <script>, or an on…= / javascript: outside a quoted value, can only have come
 * from input that was not escaped.
 */
function htmlInjection(page: string): string | null {
  const script = /<script|<iframe|<object|<embed/i.exec(page);
  if (script) return script[0];
  for (const [tag] of page.matchAll(/<[a-zA-Z][^>]*>/g)) {
    const outsideValues = tag.replace(/"[^"]*"/g, '""');
    if (/[\s/]on[a-z]+\s*=|javascript:|[\s/]srcdoc\s*=|'/i.test(outsideValues)) return tag;
    if (/[\s/](?:href|src|action|formaction)\s*=\s*"\s*(?:javascript|data|vbscript):/i.test(tag)) return tag;
  }
  return null;
}

/* ------------------------------------------------------------------ generators: strings and values */

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const charOf = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
const b64urlString = (min: number, max: number) => fc.string({ unit: charOf(B64URL), minLength: min, maxLength: max });

/** Printable Latin-1: what an HTTP header value may carry without Node refusing to send it. */
const headerChar = fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c));
const headerString = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

/** Percent-encodes every byte of the UTF-8 form except unreserved ones (lone surrogates become U+FFFD). */
function pct(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const ODD_CONSTANTS = [
  '', ' ', '\u0000', 'a\u0000b', 'admin\u0000', '\uD800', '\uDFFF', 'ab\uDC00cd', '\uDBFF\uDBFF',
  '\u202Eadmin', 'admin\u200B', '\uFEFFadmin', '\u200C\u200D\u2060', 'مرحبا', 'שלום\u200F', 'Ａｄｍｉｎ', 'İ', 'ß', 'ﬁ',
  'e\u0301', '\u0301', '👩‍👩‍👧‍👦', '\n\r\t', '\r\nSet-Cookie: x=1', '../../etc/passwd', '%00', '%', '${7*7}', '{{7*7}}',
  '<script>alert(1)</script>', "' OR '1'='1", '"; DROP TABLE users; --', 'null', 'undefined', 'NaN', 'true',
  '__proto__', 'constructor', 'prototype', '$gt', '{"$gt":""}', 'j:{}', 'Error: boom',
];

/** Markup that would run if a page printed it unescaped. */
const MARKUP = [
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg/onload=alert(1)>", '" autofocus onfocus="alert(1)',
  '</title><script>alert(1)</script>', '<iframe srcdoc="x">', 'javascript:alert(1)', '&lt;script&gt;', '<!--', ']]>', '{{constructor.constructor("alert(1)")()}}',
];

const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...ODD_CONSTANTS, ...MARKUP),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.constantFrom('\u200B', '\u202E', '\u0000', '\uFEFF', '\uD800', '\u0301'), fc.nat(12))
    .map(([s, odd, at]) => s.slice(0, at) + odd + s.slice(at)),
);

const validUsername = fc.stringMatching(/^[A-Za-z0-9_.-]{3,32}$/);
const validPassword = fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 40 });
const validName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });

/** Raw JSON text of a value. Raw, so that `1e999`, `-0` and duplicate keys can be sent. */
const operatorRaw = fc.constantFrom(
  '{"$gt":""}', '{"$ne":null}', '{"$where":"1"}', '{"$where":"sleep(1000)"}', '{"$regex":".*"}', '{"$in":["a"]}',
  '{"$exists":true}', '{"$expr":{"$eq":[1,1]}}', '{"$function":{"body":"return 1","args":[],"lang":"js"}}', '{"$gt":"","$lt":"~"}',
);
const primitiveRaw = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '0', '-0', '1e999', '-1e999', '1.5', '-1', '1.7976931348623157e308', '5e-324', '123456789012345678901234567890'),
  fc.double().map((d) => JSON.stringify(d)),
  fc.integer().map(String),
);

function deepRaw(depth: number, kind: 'object' | 'array' | 'mixed', leaf: string): string {
  let out = leaf;
  for (let i = 0; i < depth; i++) {
    const asArray = kind === 'array' || (kind === 'mixed' && i % 2 === 1);
    out = asArray ? `[${out}]` : `{"a":${out}}`;
  }
  return out;
}
const deepValueRaw = fc
  .tuple(fc.integer({ min: 50, max: 100 }), fc.constantFrom('object' as const, 'array' as const, 'mixed' as const), fc.oneof(operatorRaw, fc.constant('"x"'), fc.constant('{}')))
  .map(([depth, kind, leaf]) => deepRaw(depth, kind, leaf));

const stringRaw = (s: fc.Arbitrary<string>) => s.map((v) => JSON.stringify(v));

/** Objects whose keys are hostile in themselves, sent raw so `__proto__` stays an own key. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const SPECIAL_KEYS = [...PROTO_KEYS, 'passwordHash', 'id', 'userId', 'isAdmin', 'role', '$where', '$gt', '', ' ', 'toString', 'valueOf', 'hasOwnProperty'];

const hostileValueRaw: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { weight: 3, arbitrary: stringRaw(oddString) },
    { weight: 3, arbitrary: operatorRaw },
    { weight: 2, arbitrary: primitiveRaw },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 6 })), tie('value')), { maxLength: 3 })
        .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  ),
})).value;

/** A value for one of the real fields: sometimes valid (so accepted cases happen), mostly hostile. */
function fieldValueRaw(field: string, extraValid: string[] = []): fc.Arbitrary<string> {
  const valid: fc.Arbitrary<string> =
    field === 'username' ? stringRaw(validUsername)
    : field === 'name' ? stringRaw(validName)
    : stringRaw(validPassword);
  const arbs: fc.WeightedArbitrary<string>[] = [
    { weight: 3, arbitrary: valid },
    { weight: 6, arbitrary: hostileValueRaw },
    { weight: 1, arbitrary: deepValueRaw },
    { weight: 1, arbitrary: fc.integer({ min: 33, max: 3000 }).map((n) => JSON.stringify('x'.repeat(n))) },
  ];
  if (extraValid.length > 0) arbs.push({ weight: 2, arbitrary: fc.constantFrom(...extraValid.map((v) => JSON.stringify(v))) });
  return fc.oneof(...arbs);
}

/** An object with the real field names (repeated, missing, extra, hostile keys), as raw JSON. */
function fieldsObjectRaw(fields: string[], extraValid: Record<string, string[]> = {}): fc.Arbitrary<string> {
  const entry = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...fields).chain((k) => fieldValueRaw(k, extraValid[k]).map((v) => [k, v] as const)) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom(...PROTO_KEYS),
        fc.oneof(
          fc.constantFrom(...fields).chain((k) => fieldValueRaw(k, extraValid[k]).map((v) => `{${JSON.stringify(k)}:${v},"isAdmin":true,"polluted":"yes"}`)),
          fc.constant('{"prototype":{"polluted":"yes"}}'),
          hostileValueRaw,
        ),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SPECIAL_KEYS), hostileValueRaw) },
  );
  return fc.array(entry, { maxLength: 6 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

/** Lengths right at the DTO limits, in characters and in UTF-8 bytes (bcrypt reads 72 bytes). */
function boundaryString(field: string): fc.Arbitrary<string> {
  const sizes = field === 'username' ? [2, 3, 32, 33] : field === 'name' ? [0, 1, 64, 65] : [7, 8, 72, 73];
  return fc.tuple(fc.constantFrom(...sizes), fc.constantFrom('a', 'é', '€', '💩', '\u200B', '.'), fc.integer({ min: -1, max: 1 })).map(([n, unit, delta]) => {
    const bytes = Buffer.byteLength(unit);
    return unit.repeat(Math.max(0, Math.floor(n / bytes) + delta));
  });
}

/** A string for a real field: valid, odd, at a boundary, or one of `extra`. */
function stringFieldRaw(field: string, extra: string[] = []): fc.Arbitrary<string> {
  const valid = field === 'username' ? validUsername : field === 'name' ? validName : validPassword;
  const arbs: fc.WeightedArbitrary<string>[] = [
    { weight: 4, arbitrary: valid },
    { weight: 2, arbitrary: oddString },
    { weight: 1, arbitrary: boundaryString(field) },
  ];
  if (extra.length > 0) arbs.push({ weight: 2, arbitrary: fc.constantFrom(...extra) });
  return fc.oneof(...arbs).map((v) => JSON.stringify(v));
}

/**
 * Well-typed objects (every field a string, or absent) that get past type checks and reach the
 * services, sometimes with a `__proto__` / `constructor` entry trying to smuggle fields in.
 */
function typedObjectRaw(fields: string[], extraValid: Record<string, string[]> = {}): fc.Arbitrary<string> {
  const smuggled = fc.oneof(
    { weight: 4, arbitrary: fc.constant<string | null>(null) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...PROTO_KEYS), fc.constantFrom(...fields, 'isAdmin', 'passwordHash'), hostileValueRaw)
        .map(([key, field, value]) => `${JSON.stringify(key)}:{${JSON.stringify(field)}:${value}}`),
    },
  );
  return fc
    .tuple(fc.tuple(...fields.map((f) => fc.option(stringFieldRaw(f, extraValid[f]), { nil: undefined, freq: 5 }))), smuggled, fc.boolean())
    .map(([values, smuggle, smuggleFirst]) => {
      const entries = fields.flatMap((f, i) => (values[i] === undefined ? [] : [`${JSON.stringify(f)}:${values[i]}`]));
      if (smuggle) smuggleFirst ? entries.unshift(smuggle) : entries.push(smuggle);
      return `{${entries.join(',')}}`;
    });
}

/** fc.anything, filtered to what JSON can carry. */
const anythingRaw = fc
  .anything({ maxDepth: 3, withNullPrototype: true, withBoxedValues: true, withSparseArray: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withObjectString: true })
  .map((v) => {
    try {
      return JSON.stringify(v) as string | undefined;
    } catch {
      return undefined;
    }
  })
  .filter((s): s is string => s !== undefined);

/** urlencoded bodies with bracket keys, duplicates and prototype keys. */
function urlencodedRaw(fields: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...fields),
    fc.tuple(fc.constantFrom(...fields), fc.constantFrom('[$gt]', '[$ne]', '[$where]', '[]', '[0]', '[__proto__]', '[constructor][prototype]', '.$gt')).map(([f, s]) => f + s),
    fc.constantFrom('__proto__', '__proto__[polluted]', 'constructor[prototype][polluted]', 'passwordHash'),
  );
  const value = fc.oneof(fc.constant(''), validPassword, oddString);
  return fc.array(fc.tuple(key, value, fc.boolean()), { maxLength: 6 }).map((pairs) =>
    pairs.map(([k, v, encodeKey]) => `${encodeKey ? pct(k) : k.replace(/[&=%#\s]/g, pct)}=${pct(v)}`).join('&'),
  );
}

const NON_JSON_TYPES = [
  'text/plain', 'application/xml', 'text/html', 'multipart/form-data; boundary=xyz', 'application/octet-stream',
  'application/vnd.api+json', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=koi8-r',
  'application/json; charset=x-unknown', 'application/json;;;', 'application/JSON', 'application/x-www-form-urlencoded; charset=utf-7', '*/*',
];

/** Any body for an endpoint with these fields: JSON of every shape, hostile objects, other content types. */
function bodyFor(fields: string[], extraValid: Record<string, string[]> = {}): fc.Arbitrary<Body> {
  const json = (raw: fc.Arbitrary<string>) => raw.map((r): Body => ({ contentType: 'application/json', raw: r }));
  return fc.oneof(
    { weight: 6, arbitrary: json(fieldsObjectRaw(fields, extraValid)) },
    { weight: 6, arbitrary: json(typedObjectRaw(fields, extraValid)) },
    { weight: 2, arbitrary: json(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))) },
    { weight: 2, arbitrary: json(anythingRaw) },
    { weight: 1, arbitrary: json(fc.tuple(fc.integer({ min: 50, max: 100 }), fc.constantFrom('object' as const, 'array' as const, 'mixed' as const)).map(([d, k]) => deepRaw(d, k, '{}'))) },
    { weight: 1, arbitrary: json(fc.constantFrom('', '{', '{"username":', '{"a":1}}', "{'a':1}", '{"a":1,}', 'nul', '\u0000{}', '\uFEFF{}', '{"__proto__":', 'NaN', '[1,2', '{"username":"x"\u0000}')) },
    { weight: 2, arbitrary: urlencodedRaw(fields).map((raw): Body => ({ contentType: 'application/x-www-form-urlencoded', raw })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...NON_JSON_TYPES), fc.oneof(fieldsObjectRaw(fields), urlencodedRaw(fields), oddString)).map(([contentType, raw]): Body => ({ contentType, raw })) },
    {
      weight: 1,
      // invalid UTF-8 inside a JSON string
      arbitrary: fc.tuple(fc.constantFrom(...fields), fc.uint8Array({ minLength: 1, maxLength: 12 })).map(([f, bytes]): Body => ({
        contentType: 'application/json',
        raw: Buffer.concat([Buffer.from(`{"${f}":"`), Buffer.from([0xff, 0xc0, ...bytes, 0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      })),
    },
  );
}

/** What an HTML form posts, mostly urlencoded, sometimes anything else. */
function formBodyFor(fields: string[], extraValid: Record<string, string[]> = {}): fc.Arbitrary<Body> {
  const typedForm = fc
    .tuple(...fields.map((f) => fc.option(stringFieldRaw(f, extraValid[f]).map((raw) => JSON.parse(raw) as string), { nil: undefined, freq: 5 })))
    .map((values) => fields.flatMap((f, i) => (values[i] === undefined ? [] : [`${f}=${pct(values[i]!)}`])).join('&'));
  return fc.oneof(
    { weight: 4, arbitrary: typedForm.map((raw): Body => ({ contentType: 'application/x-www-form-urlencoded', raw })) },
    { weight: 3, arbitrary: urlencodedRaw(fields).map((raw): Body => ({ contentType: 'application/x-www-form-urlencoded', raw })) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1001, max: 1500 }).map((n): Body => ({ contentType: 'application/x-www-form-urlencoded', raw: Array.from({ length: n }, (_, i) => `p${i}=1`).join('&') })),
    },
    { weight: 3, arbitrary: bodyFor(fields, extraValid) },
  );
}

/** Headers a hostile client may add to an unsafe request (CSRF check, stored user agent, encodings). */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      'User-Agent': fc.oneof(headerString(200), fc.integer({ min: 1000, max: 8000 }).map((n) => 'A'.repeat(n)), fc.constantFrom('', '\u00ff\u00fe', '() { :; }; echo pwned')),
      Origin: fc.constantFrom('null', 'http://evil.example', 'https://127.0.0.1.evil.example', '::::', 'http://[::1', 'file://'),
      'Sec-Fetch-Site': fc.constantFrom('cross-site', 'same-origin', 'none', 'same-site', 'CROSS-SITE', ''),
      'Content-Encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip'),
      'X-Forwarded-For': headerString(60),
    },
    { requiredKeys: [] },
  )
  .filter((h) => Object.keys(h).length <= 2);

const sometimesHeaders = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: extraHeaders });

/* ------------------------------------------------------------------ generators: tokens and cookies */

function flip(token: string, index: number, shift: number, alphabet: string): string {
  if (token.length === 0) return 'x';
  const at = index % token.length;
  const pos = alphabet.indexOf(token[at]);
  const next = alphabet[(Math.max(pos, 0) + 1 + (shift % (alphabet.length - 1))) % alphabet.length];
  return token.slice(0, at) + next + token.slice(at + 1);
}

/** Flips one character of one part of a JWT (0 header, 1 payload, 2 signature). */
function flipJwt(token: string, part: number, index: number, shift: number): string {
  const parts = token.split('.');
  parts[part] = flip(parts[part], index, shift, B64URL);
  return parts.join('.');
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decodeJwtPart = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

interface Fixture {
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
function forgedJwt(fx: Fixture, claimsOf: AuthCookieValue): fc.Arbitrary<string> {
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

interface CookieCase {
  header: string;
  /** Carries an unmodified real access token of the fixture (A1 or A2). */
  realJwt: boolean;
  note: string;
}

/** The j: value Express would write, percent-encoded, or sometimes raw (ASCII-escaped so Node sends it). */
function jCookie(json: string, encode: boolean): string {
  const value = `j:${json}`;
  return encode ? encodeURIComponent(value) : value.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Cookie headers built from the fixture's real tokens (flipped, mixed, forged) and from nothing at all. */
function cookieCases(fx: Fixture): fc.Arbitrary<CookieCase> {
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
const pathId: fc.Arbitrary<string> = fc.oneof(
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

/* ------------------------------------------------------------------ the suite */

interface Snapshot {
  total: number;
  me: Record<string, unknown>;
  sessions: unknown[];
  victim: unknown;
  victimLive: number;
}

/** Own keys of a JSON or urlencoded body as the server would have parsed it, or null when it is neither. */
function parsedOwn(body: Body | undefined): Record<string, unknown> | null {
  if (!body || typeof body.raw !== 'string') return null;
  try {
    if (body.contentType === 'application/json') {
      const value = JSON.parse(body.raw) as unknown;
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    }
    if (body.contentType === 'application/x-www-form-urlencoded') {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of new URLSearchParams(body.raw)) out[k] = k in out ? [out[k], v].flat() : v;
      return out;
    }
  } catch {
    return null;
  }
  return null;
}

/** No lone surrogate (String.prototype.isWellFormed, which ES2023 typings lack). */
const wellFormed = (text: unknown) => typeof text !== 'string' || !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
const own = (o: Record<string, unknown>, key: string) => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);
const isString = (v: unknown): v is string => typeof v === 'string';
const codePoints = (v: unknown) =>
  typeof v === 'string' ? [...v].map((ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ') : JSON.stringify(v);

describeOnEachStore('fuzz', (store) => {
  let app: TestApp;
  let fx: Fixture;
  let baseline: Snapshot;
  /** src/pages (HTML forms) may or may not be part of the build under test. */
  let pagesPresent = false;

  const asCookie = (value: AuthCookieValue) => cookieHeader(value);

  async function fire(c: Case): Promise<Response> {
    stats.cases++;
    stats.endpoints.add(c.endpoint);
    let req = app.http()[c.method](c.path);
    if (c.cookie !== undefined) req = req.set('Cookie', c.cookie);
    for (const [k, v] of Object.entries(c.headers ?? {})) req = req.set(k, v);
    if (c.body) {
      if (c.body.contentType !== undefined) req = req.set('Content-Type', c.body.contentType);
      req = req.send(c.body.raw);
    }
    let res: Response;
    try {
      res = await req;
    } catch (error) {
      throw new FuzzFailure(`transport error: ${(error as Error).message}`, c);
    }
    const byStatus = stats.statuses.get(c.endpoint) ?? new Map<number, number>();
    byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
    stats.statuses.set(c.endpoint, byStatus);
    trace(`${describeCase(c, res)}`);
    if (res.status < 400 && c.method !== 'get') storedText += `\n${ownText(c)}`;
    checkResponse(c, res);
    return res;
  }

  async function snapshot(): Promise<Snapshot> {
    const a1 = asCookie(fx.a1);
    const [users, me, sessions, victim, victimLive] = await Promise.all([
      app.http().get('/users?limit=1').set('Cookie', a1),
      app.http().get('/auth/me').set('Cookie', a1),
      app.http().get('/auth/sessions').set('Cookie', a1),
      app.http().get(`/users/${fx.c.id}`).set('Cookie', a1),
      app.http().get('/auth/sessions').set('Cookie', asCookie(fx.c.cookie)),
    ]);
    for (const res of [users, me, sessions, victim]) {
      if (res.status !== 200) throw new Error(`fixture session A1 no longer works: ${res.status} ${res.text}`);
    }
    const victimSessions = victimLive.status === 200 ? (victimLive.body as { id: string }[]) : [];
    return {
      total: (users.body as { total: number }).total,
      me: me.body as Record<string, unknown>,
      sessions: sessions.body as unknown[],
      victim: victim.body,
      victimLive: victimSessions.filter((s) => s.id === fx.c.sessionId).length,
    };
  }

  /** The store must now be `expected`; on a mismatch the baseline follows reality, so shrinking starts clean. */
  async function expectStore(expected: Snapshot, why: string, c: Case, res: Response): Promise<void> {
    const now = await snapshot();
    baseline = now;
    if (!isDeepStrictEqual(now, expected)) {
      throw new FuzzFailure(`${why}: store changed\nexpected ${cut(JSON.stringify(expected), 1500)}\nfound    ${cut(JSON.stringify(now), 1500)}`, c, res);
    }
  }

  /** A refused request changes nothing; an accepted one only what `accepted` says it may. */
  async function bookkeep(c: Case, res: Response, accepted?: (res: Response) => Snapshot): Promise<void> {
    if (res.status >= 400) return expectStore(baseline, 'refused request', c, res);
    let expected: Snapshot;
    try {
      if (!accepted) throw new FuzzFailure(`accepted (${res.status}) a request that no valid input could have made`, c, res);
      expected = accepted(res);
    } catch (error) {
      baseline = await snapshot(); // whatever it did, the next case starts from what is there now
      throw error;
    }
    return expectStore(expected, 'accepted request', c, res);
  }

  async function property<T>(name: string, arb: fc.Arbitrary<T>, weight: number, run: (value: T) => Promise<void>): Promise<void> {
    let seed = SEED;
    for (const ch of name) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) | 0;
    await fc.assert(fc.asyncProperty(arb, run), { seed, numRuns: runs(weight) });
    // the read-only properties leave it to here: after each batch, nothing changed
    const now = await snapshot();
    if (!isDeepStrictEqual(now, baseline)) {
      throw new Error(`store changed during "${name}"\nexpected ${JSON.stringify(baseline)}\nfound    ${JSON.stringify(now)}`);
    }
  }

  beforeAll(async () => {
    // long FUZZ_RUNS must not outlive the fixture's access tokens
    // Wrong currentPasswords are part of the fuzz: the account lockout (brute-force.e2e-spec) must not end the run.
    // REAUTH_MAX_AGE=0: no session is ever recent, so a new password always needs currentPassword
    // (the oracle's rule); the recent-sign-in path has its own spec (reauth.e2e-spec).
    app = await startTestApp(store, { ACCESS_TTL: '6h', LOGIN_MAX_FAILURES: '100000', REAUTH_MAX_AGE: '0' });
    const a = await signup(app, uniqueName('fuzzA'));
    const a2 = await login(app, a.username, PASSWORD, 'fuzz-refresh-fixture');
    const c = await signup(app, uniqueName('fuzzC'));
    const b = await signup(app, uniqueName('fuzzB'));
    const cSessions = await app.http().get('/auth/sessions').set('Cookie', asCookie(c.cookie));
    const header = decodeJwtPart(a.cookie.token.split('.')[0]) as { kid: string };
    fx = {
      id: a.id,
      username: a.username,
      a1: a.cookie,
      a2,
      c: { id: c.id, username: c.username, cookie: c.cookie, sessionId: (cSessions.body as { id: string }[])[0].id },
      b: { id: b.id, username: b.username, cookie: b.cookie },
      kid: header.kid,
    };
    const loginPage = await app.http().get('/login');
    pagesPresent = loginPage.status === 200 && /html/.test(String(loginPage.headers['content-type']));
    if (!pagesPresent) process.stdout.write('fuzz: no HTML pages (GET /login is not a page): the page properties are skipped\n');
    baseline = await snapshot();
    expect(baseline.sessions).toHaveLength(2);
    expect(baseline.victimLive).toBe(1);
  });
  afterAll(() => app.close());

  it('POST /auth/signup: hostile bodies are refused and create nobody; valid ones create exactly one user', async () => {
    const arb = fc.record({ body: bodyFor(['username', 'password', 'name'], { username: [fx.username] }), headers: sometimesHeaders });
    await property('signup', arb, 2, async ({ body, headers }) => {
      const c: Case = { endpoint: 'POST /auth/signup', method: 'post', path: '/auth/signup', body, headers };
      const res = await fire(c);
      await bookkeep(c, res, (ok) => {
        const sent = parsedOwn(body);
        const username = sent && own(sent, 'username');
        const name = sent && own(sent, 'name');
        const password = sent && own(sent, 'password');
        const user = (ok.body as { user: Record<string, unknown> }).user;
        const okShape =
          ok.status === 201 && sent !== null && isString(username) && /^[A-Za-z0-9_.-]{3,32}$/.test(username) && isString(password) &&
          Buffer.byteLength(password) <= 72 && (name === undefined || isString(name)) &&
          Object.keys(sent).every((k) => ['username', 'password', 'name', ...PROTO_KEYS].includes(k)) &&
          user.username === username.toLowerCase() && (user.name === (name ?? username.toLowerCase()) || !wellFormed(name)) && !('passwordHash' in user);
        if (!okShape) throw new FuzzFailure('signup accepted input the DTO forbids (or stored something else)', c, ok);
        return { ...baseline, total: baseline.total + 1 };
      });
    });
  }, TIMEOUT);

  it('POST /auth/login: hostile bodies never sign anyone in and change nothing', async () => {
    const arb = fc.record({ body: bodyFor(['username', 'password'], { username: [fx.username, fx.username.toUpperCase()] }), headers: sometimesHeaders });
    await property('login', arb, 1.5, async ({ body, headers }) => {
      const c: Case = { endpoint: 'POST /auth/login', method: 'post', path: '/auth/login', body, headers };
      const res = await fire(c);
      // no generated password is anyone's: every login must be refused
      await bookkeep(c, res);
    });
  }, TIMEOUT);

  it('PATCH /users/:id (own account): hostile bodies never rename, re-password or end sessions', async () => {
    const arb = fc.record({
      body: bodyFor(['name', 'password', 'currentPassword'], { currentPassword: [PASSWORD] }),
      headers: sometimesHeaders,
    });
    // A valid new password beside the right current one would really change it (and end A2): not fuzz.
    const changesPassword = (body: Body) => {
      const sent = parsedOwn(body);
      const password = sent && own(sent, 'password');
      return sent !== null && own(sent, 'currentPassword') === PASSWORD && isString(password) && password.length >= 8 && Buffer.byteLength(password) <= 72;
    };
    await property('patch-own', arb.filter(({ body }) => !changesPassword(body)), 2, async ({ body, headers }) => {
      const c: Case = { endpoint: 'PATCH /users/:id', method: 'patch', path: `/users/${fx.id}`, cookie: asCookie(fx.a1), body, headers };
      const res = await fire(c);
      await bookkeep(c, res, (ok) => {
        const sent = parsedOwn(body);
        const name = sent && own(sent, 'name');
        const keysOk = sent !== null && Object.keys(sent).every((k) => ['name', 'password', 'currentPassword', ...PROTO_KEYS].includes(k));
        const stored = (ok.body as { name?: unknown }).name;
        // a name that is not well-formed UTF-16 has its own property ("stored text round-trips")
        if (!keysOk || !isString(name) || own(sent, 'password') !== undefined || (stored !== name && wellFormed(name))) {
          throw new FuzzFailure('PATCH accepted input the DTO forbids (or stored something else)', c, ok);
        }
        return { ...baseline, me: { ...baseline.me, name: stored } };
      });
    });
  }, TIMEOUT);

  it('every endpoint: hostile bodies, content types and encodings on any route', async () => {
    const routes: { endpoint: string; method: Method; path: () => string; authed: boolean }[] = [
      { endpoint: 'POST /auth/signup', method: 'post', path: () => '/auth/signup', authed: false },
      { endpoint: 'POST /auth/login', method: 'post', path: () => '/auth/login', authed: false },
      { endpoint: 'POST /auth/refresh', method: 'post', path: () => '/auth/refresh', authed: false },
      { endpoint: 'POST /auth/logout', method: 'post', path: () => '/auth/logout', authed: false },
      { endpoint: 'POST /auth/logout-all', method: 'post', path: () => '/auth/logout-all', authed: false },
      { endpoint: 'GET /auth/me', method: 'get', path: () => '/auth/me', authed: true },
      { endpoint: 'GET /auth/sessions', method: 'get', path: () => '/auth/sessions', authed: true },
      { endpoint: 'DELETE /auth/sessions/:id', method: 'delete', path: () => `/auth/sessions/${fx.c.sessionId}`, authed: true },
      { endpoint: 'GET /users', method: 'get', path: () => '/users', authed: true },
      { endpoint: 'GET /users/:id', method: 'get', path: () => `/users/${fx.c.id}`, authed: true },
      { endpoint: 'PATCH /users/:id', method: 'patch', path: () => `/users/${fx.c.id}`, authed: true },
      { endpoint: 'DELETE /users/:id', method: 'delete', path: () => `/users/${fx.c.id}`, authed: true },
      { endpoint: 'GET /health', method: 'get', path: () => '/health', authed: false },
      { endpoint: 'GET /health/live', method: 'get', path: () => '/health/live', authed: false },
      ...(pagesPresent
        ? [
            { endpoint: 'GET /login', method: 'get' as const, path: () => '/login', authed: false },
            { endpoint: 'GET /signup', method: 'get' as const, path: () => '/signup', authed: false },
            { endpoint: 'GET /account', method: 'get' as const, path: () => '/account', authed: true },
            { endpoint: 'POST /pages/signup', method: 'post' as const, path: () => '/pages/signup', authed: false },
            { endpoint: 'POST /pages/login', method: 'post' as const, path: () => '/pages/login', authed: false },
            { endpoint: 'POST /pages/logout', method: 'post' as const, path: () => '/pages/logout', authed: false },
            { endpoint: 'POST /pages/sessions/:id/revoke', method: 'post' as const, path: () => `/pages/sessions/${fx.c.sessionId}/revoke`, authed: true },
          ]
        : []),
    ];
    const arb = fc.record({
      route: fc.constantFrom(...routes),
      body: bodyFor(['username', 'password', 'name', 'currentPassword', 'token', 'refreshToken', 'page', 'limit', 'id']),
      // A's real cookie where it cannot end or change anything (reads, and acts on the victim C: must be refused)
      withCookie: fc.boolean(),
    });
    await property('any-endpoint-body', arb, 1.5, async ({ route, body, withCookie }) => {
      const c: Case = { endpoint: route.endpoint, method: route.method, path: route.path(), body, cookie: withCookie && route.authed ? asCookie(fx.a1) : undefined };
      const res = await fire(c);
      if (route.method === 'get') return;
      if (route.endpoint === 'POST /auth/signup' || route.endpoint === 'POST /pages/signup') {
        return bookkeep(c, res, () => ({ ...baseline, total: baseline.total + 1 }));
      }
      // logout without a cookie is a 204 that must change nothing
      await expectStore(baseline, `${route.endpoint} (${res.status})`, c, res);
    });
  }, TIMEOUT);

  it('bodies up to ~90 kB are refused cleanly; over the 100 kB limit they are a 413', async () => {
    const targets: { endpoint: string; method: Method; path: () => string; fields: string[]; cookie: () => string | undefined }[] = [
      { endpoint: 'POST /auth/signup', method: 'post', path: () => '/auth/signup', fields: ['username', 'password', 'name'], cookie: () => undefined },
      { endpoint: 'POST /auth/login', method: 'post', path: () => '/auth/login', fields: ['username', 'password'], cookie: () => undefined },
      { endpoint: 'PATCH /users/:id', method: 'patch', path: () => `/users/${fx.id}`, fields: ['name', 'password', 'currentPassword'], cookie: () => asCookie(fx.a1) },
      { endpoint: 'POST /auth/refresh', method: 'post', path: () => '/auth/refresh', fields: ['refreshToken'], cookie: () => undefined },
    ];
    const chunk = fc.constantFrom('x', 'é', '\u200B', '\u202E', '💩', '\\u0000', '\\ud800', 'ab"');
    const big = fc.record({
      target: fc.constantFrom(...targets),
      field: fc.nat(),
      chunk,
      bytes: fc.integer({ min: 2_000, max: 90_000 }),
      over: fc.boolean(),
      urlencoded: fc.boolean(),
    });
    await property('huge-bodies', big, 0.6, async ({ target, field, chunk, bytes, over, urlencoded }) => {
      const name = target.fields[field % target.fields.length];
      const unit = urlencoded ? pct(chunk) : chunk.replace('"', '\\"');
      const size = over ? BODY_LIMIT + bytes : bytes;
      const filler = unit.repeat(Math.max(1, Math.floor(size / Buffer.byteLength(unit))));
      const raw = urlencoded ? `${name}=${filler}` : `{${JSON.stringify(name)}:"${filler}"}`;
      const c: Case = {
        endpoint: target.endpoint,
        method: target.method,
        path: target.path(),
        cookie: target.cookie(),
        body: { contentType: urlencoded ? 'application/x-www-form-urlencoded' : 'application/json', raw },
      };
      const res = await fire(c);
      const length = Buffer.byteLength(raw);
      if (length > BODY_LIMIT && res.status !== 413) throw new FuzzFailure(`a ${length}-byte body must be a 413`, c, res);
      if (length <= BODY_LIMIT && res.status === 413) throw new FuzzFailure(`a ${length}-byte body is under the limit`, c, res);
      await bookkeep(c, res);
    });
  }, TIMEOUT);

  it('GET /users: random query strings give a 200 page or a 400, never more than 100 items', async () => {
    const key = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('page', 'limit') },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('page', 'limit'), fc.constantFrom('[$gt]', '[$ne]', '[]', '[0]', '[__proto__]', '.$gt', '[constructor][prototype]')).map(([k, s]) => k + s) },
      { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'offset', 'sort', '$where', 'PAGE', '') },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    );
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: -5, max: 120 }).map(String) },
      { weight: 2, arbitrary: fc.constantFrom('', '0', '1e2', '1e999', '-0', '0x10', '1.5', ' 1', '1 ', '+1', 'Infinity', 'NaN', 'null', '[]', '{}', '9007199254740993', '1000000', '1000001', '%', '%zz', '%00', '%E0%A4%A', '٣', '１') },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 6000 }).map((n) => '9'.repeat(n)) },
    );
    const arb = fc.array(fc.tuple(key, value, fc.boolean()), { maxLength: 5 });
    await property('users-query', arb, 2, async (params) => {
      const query = params
        .map(([k, v, raw]) => {
          const rawSafe = raw && /^[\x21-\x7e]*$/.test(v) && !/[&#]/.test(v);
          return `${pct(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${rawSafe ? v : pct(v)}`;
        })
        .join('&');
      const c: Case = { endpoint: 'GET /users', method: 'get', path: `/users${query ? `?${query}` : ''}`, cookie: asCookie(fx.a1) };
      const res = await fire(c);
      if (res.status === 200) {
        const page = res.body as { items: Record<string, unknown>[]; total: number; page: number; limit: number };
        if (!Array.isArray(page.items) || page.items.length > 100 || typeof page.limit !== 'number' || page.limit > 100 || page.limit < 1) {
          throw new FuzzFailure('page shape broken', c, res);
        }
        for (const user of page.items) {
          if (Object.keys(user).sort().join() !== 'createdAt,id,name,username') throw new FuzzFailure('a listed user has non-public fields', c, res);
        }
      } else if (res.status !== 400 && res.status !== 414 && res.status !== 431) {
        throw new FuzzFailure(`expected 200 or 400, got ${res.status}`, c, res);
      }
    });
  }, TIMEOUT);

  it('path ids on GET/PATCH/DELETE /users/:id and DELETE /auth/sessions/:id: never a 5xx, nothing deleted', async () => {
    const routes = [
      { endpoint: 'GET /users/:id', method: 'get' as const, prefix: '/users/' },
      { endpoint: 'PATCH /users/:id', method: 'patch' as const, prefix: '/users/' },
      { endpoint: 'DELETE /users/:id', method: 'delete' as const, prefix: '/users/' },
      { endpoint: 'DELETE /auth/sessions/:id', method: 'delete' as const, prefix: '/auth/sessions/' },
    ];
    const arb = fc.record({
      route: fc.constantFrom(...routes),
      // the victim's real ids too: A may read C, but never change or end C
      id: fc.oneof({ weight: 6, arbitrary: pathId }, { weight: 1, arbitrary: fc.constantFrom('VICTIM_USER', 'VICTIM_SESSION') }),
      body: fc.oneof(fc.constant<Body>({ contentType: 'application/json', raw: '{"name":"renamed by fuzz"}' }), bodyFor(['name', 'password', 'currentPassword'])),
    });
    await property('path-ids', arb, 3, async ({ route, id, body }) => {
      const realId = id === 'VICTIM_USER' ? fx.c.id : id === 'VICTIM_SESSION' ? fx.c.sessionId : id;
      const c: Case = {
        endpoint: route.endpoint,
        method: route.method,
        path: route.prefix + realId,
        cookie: asCookie(fx.a1),
        body: route.method === 'patch' ? body : undefined,
      };
      const res = await fire(c);
      if (route.method === 'get') {
        // an empty id or a dot segment lands on the list: its items are profiles too
        const body = res.body as { items?: unknown };
        const profiles = (Array.isArray(body.items) ? body.items : [body]) as object[];
        if (res.status === 200 && profiles.some((p) => Object.keys(p).sort().join() !== 'createdAt,id,name,username')) {
          throw new FuzzFailure('a profile with non-public fields', c, res);
        }
        return;
      }
      // none of these ids is A's own, so no change or deletion may be accepted
      await bookkeep(c, res);
    });
  }, TIMEOUT);

  it('cookies: raw, j: JSON with non-string fields, flipped and forged tokens, on every cookie route', async () => {
    // route, and whether an unmodified real access token of A may ride along (it would legitimately act)
    const routes: { endpoint: string; method: Method; path: () => string; realJwtOk: boolean; body?: Body }[] = [
      { endpoint: 'GET /auth/me', method: 'get', path: () => '/auth/me', realJwtOk: true },
      { endpoint: 'GET /auth/sessions', method: 'get', path: () => '/auth/sessions', realJwtOk: true },
      { endpoint: 'GET /users', method: 'get', path: () => '/users', realJwtOk: true },
      { endpoint: 'GET /users/:id', method: 'get', path: () => `/users/${fx.c.id}`, realJwtOk: true },
      { endpoint: 'POST /auth/refresh', method: 'post', path: () => '/auth/refresh', realJwtOk: true },
      { endpoint: 'POST /auth/logout', method: 'post', path: () => '/auth/logout', realJwtOk: false },
      { endpoint: 'POST /auth/logout-all', method: 'post', path: () => '/auth/logout-all', realJwtOk: false },
      { endpoint: 'DELETE /auth/sessions/:id', method: 'delete', path: () => `/auth/sessions/${fx.c.sessionId}`, realJwtOk: true },
      { endpoint: 'PATCH /users/:id', method: 'patch', path: () => `/users/${fx.c.id}`, realJwtOk: true, body: { contentType: 'application/json', raw: '{"name":"cookie fuzz"}' } },
      { endpoint: 'DELETE /users/:id', method: 'delete', path: () => `/users/${fx.c.id}`, realJwtOk: true },
    ];
    const weighted = (endpoint: string, weight: number) => ({ weight, arbitrary: fc.constant(routes.find((r) => r.endpoint === endpoint)!) });
    const route = fc.oneof(
      weighted('GET /auth/me', 3), weighted('POST /auth/refresh', 3), weighted('POST /auth/logout', 3), weighted('GET /auth/sessions', 3),
      weighted('GET /users', 1), weighted('GET /users/:id', 1), weighted('POST /auth/logout-all', 1), weighted('DELETE /auth/sessions/:id', 1),
      weighted('PATCH /users/:id', 1), weighted('DELETE /users/:id', 1),
    );
    const arb = fc.tuple(route, cookieCases(fx)).filter(([r, cookie]) => r.realJwtOk || !cookie.realJwt);
    await property('cookies', arb, 4, async ([r, cookie]) => {
      const c: Case = { endpoint: r.endpoint, method: r.method, path: r.path(), cookie: cookie.header, body: r.body };
      const res = await fire(c);
      if (r.method === 'get') return;
      // no real refresh token is ever in these cookies: no refresh may succeed; logout is a 204 that ends nothing
      if (r.endpoint === 'POST /auth/logout') return expectStore(baseline, `logout (${res.status}) with a cookie that is not A's`, c, res);
      await bookkeep(c, res);
    });
  }, TIMEOUT);

  it('stored text round-trips: an accepted display name reads back exactly as sent (odd Unicode included)', async () => {
    const name = fc
      .oneof(
        { weight: 3, arbitrary: oddString },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) },
        { weight: 2, arbitrary: fc.constantFrom('\uD800', '\uDFFF', 'a\uDBFFb', '\uDC00\uD800', '😀'.slice(0, 1), '😀'.slice(1)) },
      )
      .filter((n) => n.length >= 1 && n.length <= 64);
    await property('round-trip', fc.record({ via: fc.constantFrom('patch' as const, 'signup' as const), name }), 0.5, async ({ via, name: sentName }) => {
      if (via === 'patch') {
        const c: Case = { endpoint: 'PATCH /users/:id', method: 'patch', path: `/users/${fx.id}`, cookie: asCookie(fx.a1), body: { contentType: 'application/json', raw: JSON.stringify({ name: sentName }) } };
        const res = await fire(c);
        const me = res.status === 200 ? await app.http().get('/auth/me').set('Cookie', asCookie(fx.a1)) : undefined;
        baseline = await snapshot();
        if (res.status >= 400) return; // refusing a name is always allowed
        if ((res.body as { name: unknown }).name !== sentName || (me?.body as { name: unknown }).name !== sentName) {
          throw new FuzzFailure(`name accepted but stored as ${codePoints((me?.body as { name: unknown }).name)} (sent ${codePoints(sentName)})`, c, res);
        }
        return;
      }
      const c: Case = { endpoint: 'POST /auth/signup', method: 'post', path: '/auth/signup', body: { contentType: 'application/json', raw: JSON.stringify({ username: uniqueName('rt'), password: PASSWORD, name: sentName }) } };
      const res = await fire(c);
      baseline = await snapshot();
      if (res.status >= 400) return;
      const user = (res.body as { user: { id: string; name: unknown } }).user;
      const read = await app.http().get(`/users/${user.id}`).set('Cookie', asCookie(fx.a1));
      if (user.name !== sentName || (read.body as { name: unknown }).name !== sentName) {
        throw new FuzzFailure(`name accepted but stored as ${codePoints((read.body as { name: unknown }).name)} (sent ${codePoints(sentName)})`, c, res);
      }
    });
  }, TIMEOUT);

  it('pages: form posts to /pages/signup and /pages/login (urlencoded, bracket keys, JSON, anything)', async () => {
    if (!pagesPresent) return;
    const arb = fc.oneof(
      fc.record({ route: fc.constant('signup' as const), body: formBodyFor(['username', 'password', 'name'], { username: [fx.username] }), headers: sometimesHeaders }),
      fc.record({ route: fc.constant('login' as const), body: formBodyFor(['username', 'password'], { username: [fx.username, fx.username.toUpperCase()] }), headers: sometimesHeaders }),
    );
    await property('pages-forms', arb, 1.5, async ({ route, body, headers }) => {
      const c: Case = { endpoint: `POST /pages/${route}`, method: 'post', path: `/pages/${route}`, body, headers };
      const res = await fire(c);
      if (route === 'login') return bookkeep(c, res);
      await bookkeep(c, res, (ok) => {
        const sent = parsedOwn(body);
        const username = sent && own(sent, 'username');
        const password = sent && own(sent, 'password');
        const name = sent && own(sent, 'name');
        const okShape =
          ok.status === 303 && ok.headers.location === '/account' && sent !== null && isString(username) && /^[A-Za-z0-9_.-]{3,32}$/.test(username) &&
          isString(password) && Buffer.byteLength(password) <= 72 && (name === undefined || isString(name)) &&
          Object.keys(sent).every((k) => ['username', 'password', 'name', ...PROTO_KEYS].includes(k));
        if (!okShape) throw new FuzzFailure('page signup accepted input the DTO forbids', c, ok);
        return { ...baseline, total: baseline.total + 1 };
      });
    });
  }, TIMEOUT);

  it('pages: cookies, ids and queries on GET /login, /signup, /account and the logout and revoke forms', async () => {
    if (!pagesPresent) return;
    const page = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('account' as const), cookie: cookieCases(fx) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('logout' as const), cookie: cookieCases(fx).filter((k) => !k.realJwt) }) },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('revoke' as const),
          // A's real cookie may ride along: none of these ids is one of A's sessions
          cookie: fc.oneof(fc.constant<CookieCase>({ header: asCookie(fx.a1), realJwt: true, note: 'A1' }), cookieCases(fx)),
          id: fc.oneof({ weight: 6, arbitrary: pathId }, { weight: 1, arbitrary: fc.constant('VICTIM_SESSION') }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('login-query' as const), query: fc.array(fc.tuple(fc.constantFrom('error', 'error[]', 'error[$ne]', '__proto__', 'next'), oddString), { maxLength: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('signup-page' as const), cookie: cookieCases(fx) }) },
      // stored hostile text rendered back: A's display name, and the user agent of a session of C's
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename-and-view' as const), name: fc.oneof(oddString, fc.constantFrom(...MARKUP)).filter((n) => n.length >= 1 && n.length <= 64) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('agent-and-view' as const), userAgent: fc.oneof(headerString(120), fc.constantFrom(...MARKUP)) }) },
    );
    await property('pages-cookies', page, 2, async (p) => {
      let c: Case = { endpoint: 'GET /account', method: 'get', path: '/account' };
      if (p.kind === 'account') c = { endpoint: 'GET /account', method: 'get', path: '/account', cookie: p.cookie.header };
      else if (p.kind === 'logout') c = { endpoint: 'POST /pages/logout', method: 'post', path: '/pages/logout', cookie: p.cookie.header };
      else if (p.kind === 'revoke') {
        const id = p.id === 'VICTIM_SESSION' ? fx.c.sessionId : p.id;
        c = { endpoint: 'POST /pages/sessions/:id/revoke', method: 'post', path: `/pages/sessions/${id}/revoke`, cookie: p.cookie.header };
      } else if (p.kind === 'login-query') {
        const query = p.query.map(([k, v]) => `${pct(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${pct(v)}`).join('&');
        c = { endpoint: 'GET /login', method: 'get', path: `/login${query ? `?${query}` : ''}` };
      } else if (p.kind === 'signup-page') c = { endpoint: 'GET /signup', method: 'get', path: '/signup', cookie: p.cookie.header };
      if (p.kind === 'rename-and-view') {
        const rename: Case = { endpoint: 'PATCH /users/:id', method: 'patch', path: `/users/${fx.id}`, cookie: asCookie(fx.a1), body: { contentType: 'application/json', raw: JSON.stringify({ name: p.name }) } };
        const renamed = await fire(rename);
        await bookkeep(rename, renamed, (ok) => ({ ...baseline, me: { ...baseline.me, name: wellFormed(p.name) ? p.name : (ok.body as { name: unknown }).name } }));
        const view = await fire({ endpoint: 'GET /account', method: 'get', path: '/account', cookie: asCookie(fx.a1) });
        if (view.status !== 200) throw new FuzzFailure('the account page does not render a valid display name', rename, view);
        return;
      }
      if (p.kind === 'agent-and-view') {
        const signIn: Case = { endpoint: 'POST /auth/login', method: 'post', path: '/auth/login', headers: { 'User-Agent': p.userAgent }, body: { contentType: 'application/json', raw: JSON.stringify({ username: fx.c.username, password: PASSWORD }) } };
        const signedIn = await fire(signIn);
        if (signedIn.status !== 200) throw new FuzzFailure('victim C could not sign in', signIn, signedIn);
        const extra = authCookieOf(signedIn);
        try {
          const view = await fire({ endpoint: 'GET /account', method: 'get', path: '/account', cookie: asCookie(fx.c.cookie) });
          if (view.status !== 200) throw new FuzzFailure('the account page does not render', signIn, view);
        } finally {
          await app.http().post('/auth/logout').set('Cookie', asCookie(extra));
        }
        return expectStore(baseline, 'a second session of C, signed in and out', signIn, signedIn);
      }
      const res = await fire(c);
      if (c.method === 'get') return;
      // no cookie here ends a session of A's or C's, whatever the status (a 303 to /login included)
      await expectStore(baseline, `${c.endpoint} (${res.status})`, c, res);
    });
  }, TIMEOUT);

  it('POST /auth/refresh: a real refresh token beside a JWT we never signed is refused and rotates nothing', async () => {
    // Its own user B and a fresh session per case: whatever happens here disturbs nothing else.
    const headers = fc.oneof(
      fc.constantFrom<unknown>(
        { alg: 'none', typ: 'JWT' },
        { alg: 'none', typ: 'JWT', kid: fx.kid },
        { alg: 'NONE', kid: fx.kid },
        { alg: 'HS512', typ: 'JWT', kid: fx.kid },
        { alg: 'RS256', typ: 'JWT', kid: 'k-dropped1' },
        { alg: 'HS256', typ: 'JWT' },
        { alg: 'HS256', typ: 'JWT', kid: fx.kid },
        { alg: 'HS256', typ: 'JWT', kid: 'k-dropped1' },
        { alg: 'HS256', typ: 'JWT', kid: { $ne: null } },
        { alg: ['HS256'], kid: 'k-dropped1' },
        'not an object',
        null,
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const recipe = fc.oneof(
      fc.record({ kind: fc.constant('forged' as const), header: headers, claims: fc.constantFrom('same' as const, 'other-sid' as const, 'other-sub' as const, 'garbage' as const), sig: b64urlString(20, 86) }),
      fc.record({ kind: fc.constant('flip' as const), part: fc.integer({ min: 0, max: 2 }), index: fc.nat(600), shift: fc.nat(63) }),
      fc.constant({ kind: 'other-session' as const }),
    );
    const otherSid = (decodeJwtPart(fx.b.cookie.token.split('.')[1]) as { sid: string }).sid;
    await property('refresh-binding', recipe, 0.6, async (r) => {
      const session = await login(app, fx.b.username, PASSWORD, 'fuzz-binding');
      const [, payload] = session.token.split('.');
      const claims = decodeJwtPart(payload) as Record<string, unknown>;
      let token: string;
      if (r.kind === 'flip') token = flipJwt(session.token, r.part, r.index, r.shift);
      else if (r.kind === 'other-session') token = fx.c.cookie.token;
      else {
        const body =
          r.claims === 'same' ? payload
          : r.claims === 'other-sid' ? b64json({ ...claims, sid: otherSid })
          : r.claims === 'other-sub' ? b64json({ ...claims, sub: fx.c.id })
          : r.sig.slice(0, 20);
        token = `${b64json(r.header)}.${body}.${r.sig}`;
      }
      // A well-formed HS256 header naming a kid we do not hold, with this very session's claims, is
      // what a cookie signed under a since-dropped key looks like (issue 6, point 1: such sessions
      // survive by refresh): it cannot be told from a forgery, so it is no counterexample.
      const header = decodeJwtPart(token.split('.')[0]) as { alg?: unknown; kid?: unknown } | null | undefined;
      const sent = decodeJwtPart(token.split('.')[1]) as { sub?: unknown; sid?: unknown } | null | undefined;
      const droppedKeyLookalike =
        typeof header === 'object' && header !== null && header.alg === 'HS256' && typeof header.kid === 'string' && header.kid !== fx.kid &&
        sent?.sub === claims.sub && sent?.sid === claims.sid;
      try {
        if (droppedKeyLookalike || token === session.token) return;
        const before = await app.http().get('/auth/sessions').set('Cookie', asCookie(session));
        const c: Case = { endpoint: 'POST /auth/refresh', method: 'post', path: '/auth/refresh', cookie: asCookie({ token, refreshToken: session.refreshToken }) };
        const res = await fire(c);
        if (res.status < 400) {
          throw new FuzzFailure(`refresh accepted (and rotated the session) with a JWT we never signed; header ${JSON.stringify(header)}, claims ${JSON.stringify(sent)}`, c, res);
        }
        const after = await app.http().get('/auth/sessions').set('Cookie', asCookie(session));
        if (!isDeepStrictEqual(before.body, after.body)) throw new FuzzFailure('refused refresh changed the session', c, res);
      } finally {
        await app.http().post('/auth/logout').set('Cookie', asCookie(session));
      }
    });
  }, TIMEOUT);

  it('after all of it: the fixture is intact, A2 still refreshes, A’s password is unchanged, no prototype pollution', async () => {
    expect(await snapshot()).toEqual(baseline);
    const refreshed = await app.http().post('/auth/refresh').set('Cookie', asCookie(fx.a2));
    expect(refreshed.status).toBe(200);
    authCookieOf(refreshed);
    const victim = await app.http().get('/auth/me').set('Cookie', asCookie(fx.c.cookie));
    expect(victim.status).toBe(200);
    const repassword = await app.http().patch(`/users/${fx.id}`).set('Cookie', asCookie(fx.a1)).send({ password: 'a fresh password 2', currentPassword: PASSWORD });
    expect(repassword.status).toBe(200);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(CLEAN_PROTO_KEYS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, TIMEOUT);
});

afterAll(() => {
  if (process.env.FUZZ_VERBOSE) {
    for (const [endpoint, byStatus] of [...stats.statuses].sort()) {
      const counts = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
      process.stdout.write(`fuzz:   ${endpoint.padEnd(26)} ${counts}\n`);
    }
  }
  process.stdout.write(`fuzz: ${stats.cases} cases across ${stats.endpoints.size} endpoints (seed ${SEED})\n`);
});
