// The fuzz's generators of strings, values and bodies: valid, odd, at the DTO limits, hostile
// keys (prototype and operator names), every JSON shape, other content types, extra headers.
import fc from 'fast-check';
import { Body, own, stored } from './oracle';

/* ------------------------------------------------------------------ generators: strings and values */

export const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const charOf = (alphabet: string) => fc.constantFrom(...alphabet.split(''));
export const b64urlString = (min: number, max: number) => fc.string({ unit: charOf(B64URL), minLength: min, maxLength: max });

/** Printable Latin-1: what an HTTP header value may carry without Node refusing to send it. */
export const headerChar = fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c));
export const headerString = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

/** Percent-encodes every byte of the UTF-8 form except unreserved ones (lone surrogates become U+FFFD). */
export function pct(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export const ODD_CONSTANTS = [
  '', ' ', '\u0000', 'a\u0000b', 'admin\u0000', '\uD800', '\uDFFF', 'ab\uDC00cd', '\uDBFF\uDBFF',
  '\u202Eadmin', 'admin\u200B', '\uFEFFadmin', '\u200C\u200D\u2060', 'مرحبا', 'שלום\u200F', 'Ａｄｍｉｎ', 'İ', 'ß', 'ﬁ',
  'e\u0301', '\u0301', '👩‍👩‍👧‍👦', '\n\r\t', '\r\nSet-Cookie: x=1', '../../etc/passwd', '%00', '%', '${7*7}', '{{7*7}}',
  '<script>alert(1)</script>', "' OR '1'='1", '"; DROP TABLE users; --', 'null', 'undefined', 'NaN', 'true',
  '__proto__', 'constructor', 'prototype', '$gt', '{"$gt":""}', 'j:{}', 'Error: boom',
];

/** Markup that would run if a page printed it unescaped. */
export const MARKUP = [
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg/onload=alert(1)>", '" autofocus onfocus="alert(1)',
  '</title><script>alert(1)</script>', '<iframe srcdoc="x">', 'javascript:alert(1)', '&lt;script&gt;', '<!--', ']]>', '{{constructor.constructor("alert(1)")()}}',
];

export const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...ODD_CONSTANTS, ...MARKUP),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.constantFrom('\u200B', '\u202E', '\u0000', '\uFEFF', '\uD800', '\u0301'), fc.nat(12))
    .map(([s, odd, at]) => s.slice(0, at) + odd + s.slice(at)),
);

export const validUsername = fc.stringMatching(/^[A-Za-z0-9_.-]{3,32}$/);
export const validPassword = fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 40 });
export const validName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });

/** Raw JSON text of a value. Raw, so that `1e999`, `-0` and duplicate keys can be sent. */
export const operatorRaw = fc.constantFrom(
  '{"$gt":""}', '{"$ne":null}', '{"$where":"1"}', '{"$where":"sleep(1000)"}', '{"$regex":".*"}', '{"$in":["a"]}',
  '{"$exists":true}', '{"$expr":{"$eq":[1,1]}}', '{"$function":{"body":"return 1","args":[],"lang":"js"}}', '{"$gt":"","$lt":"~"}',
);
export const primitiveRaw = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '0', '-0', '1e999', '-1e999', '1.5', '-1', '1.7976931348623157e308', '5e-324', '123456789012345678901234567890'),
  fc.double().map((d) => JSON.stringify(d)),
  fc.integer().map(String),
);

export function deepRaw(depth: number, kind: 'object' | 'array' | 'mixed', leaf: string): string {
  let out = leaf;
  for (let i = 0; i < depth; i++) {
    const asArray = kind === 'array' || (kind === 'mixed' && i % 2 === 1);
    out = asArray ? `[${out}]` : `{"a":${out}}`;
  }
  return out;
}
export const deepValueRaw = fc
  .tuple(fc.integer({ min: 50, max: 100 }), fc.constantFrom('object' as const, 'array' as const, 'mixed' as const), fc.oneof(operatorRaw, fc.constant('"x"'), fc.constant('{}')))
  .map(([depth, kind, leaf]) => deepRaw(depth, kind, leaf));

export const stringRaw = (s: fc.Arbitrary<string>) => s.map((v) => JSON.stringify(v));

/** Objects whose keys are hostile in themselves, sent raw so `__proto__` stays an own key. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
export const SPECIAL_KEYS = [...PROTO_KEYS, 'passwordHash', 'id', 'userId', 'isAdmin', 'role', '$where', '$gt', '', ' ', 'toString', 'valueOf', 'hasOwnProperty'];

export const hostileValueRaw: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
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
export function fieldValueRaw(field: string, extraValid: string[] = []): fc.Arbitrary<string> {
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
export function fieldsObjectRaw(fields: string[], extraValid: Record<string, string[]> = {}): fc.Arbitrary<string> {
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
export function boundaryString(field: string): fc.Arbitrary<string> {
  const sizes = field === 'username' ? [2, 3, 32, 33] : field === 'name' ? [0, 1, 64, 65] : [7, 8, 72, 73];
  return fc.tuple(fc.constantFrom(...sizes), fc.constantFrom('a', 'é', '€', '💩', '\u200B', '.'), fc.integer({ min: -1, max: 1 })).map(([n, unit, delta]) => {
    const bytes = Buffer.byteLength(unit);
    return unit.repeat(Math.max(0, Math.floor(n / bytes) + delta));
  });
}

/** A string for a real field: valid, odd, at a boundary, or one of `extra`. */
export function stringFieldRaw(field: string, extra: string[] = []): fc.Arbitrary<string> {
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
export function typedObjectRaw(fields: string[], extraValid: Record<string, string[]> = {}): fc.Arbitrary<string> {
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
export const anythingRaw = fc
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
export function urlencodedRaw(fields: string[]): fc.Arbitrary<string> {
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

export const NON_JSON_TYPES = [
  'text/plain', 'application/xml', 'text/html', 'multipart/form-data; boundary=xyz', 'application/octet-stream',
  'application/vnd.api+json', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=koi8-r',
  'application/json; charset=x-unknown', 'application/json;;;', 'application/JSON', 'application/x-www-form-urlencoded; charset=utf-7', '*/*',
];

/** Any body for an endpoint with these fields: JSON of every shape, hostile objects, other content types. */
export function bodyFor(fields: string[], extraValid: Record<string, string[]> = {}): fc.Arbitrary<Body> {
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
export function formBodyFor(fields: string[], extraValid: Record<string, string[]> = {}): fc.Arbitrary<Body> {
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
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
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

export const sometimesHeaders = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: extraHeaders });
