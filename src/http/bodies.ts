import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import iconv from 'iconv-lite';
import qs from 'qs';

/**
 * body-parser's rules (Express's JSON and urlencoded parsers, as the Express platform mounts
 * them), for the Fastify platform's parsers: the same bodies are accepted, and the same ones
 * refused with the same errors (http-errors' shape, which HttpErrorFilter maps).
 */

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** BODY_LIMIT (`100kb`, validated by the schema) in bytes, as the `bytes` package reads it. */
export function bodyLimitBytes(limit: string): number {
  const [, amount, unit] = /^(\d+)(b|kb|mb)$/.exec(limit)!;
  return Number(amount) * UNITS[unit];
}

function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}

/** The charset a body declares, lower-cased; utf-8 when it names none. */
function charsetOf(headers: IncomingHttpHeaders): string {
  return /;\s*charset=("?)([^";\s]+)\1/i.exec(headers['content-type'] ?? '')?.[2]?.toLowerCase() ?? 'utf-8';
}

const INFLATE: Record<string, () => NodeJS.ReadWriteStream> = { gzip: createGunzip, deflate: createInflate, br: createBrotliDecompress };

/**
 * Before a JSON or form body is read: its charset must be one body-parser takes (JSON a utf-*
 * that iconv-lite knows, forms utf-8 or iso-8859-1), and a compressed one is inflated (the limit then counts inflated
 * bytes, as in body-parser). Other types are not parsed, so neither is checked.
 */
export function checkedPayload(headers: IncomingHttpHeaders, payload: Readable): Readable {
  const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const json = type === 'application/json';
  if (!json && type !== 'application/x-www-form-urlencoded') return payload;
  const charset = charsetOf(headers);
  if (json ? !charset.startsWith('utf-') || !iconv.encodingExists(charset) : charset !== 'utf-8' && charset !== 'iso-8859-1') {
    throw bodyError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`);
  }
  const encoding = (headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return payload;
  const inflate = INFLATE[encoding];
  if (!inflate) throw bodyError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`);
  // Bytes that do not inflate are the client's mistake: 400 with zlib's message, as body-parser answers.
  const inflater = inflate();
  const inflated = new PassThrough() as PassThrough & { receivedEncodedLength: number };
  inflater.on('error', (error: Error) => inflated.destroy(bodyError(400, 'encoding.inflate.failed', error.message)));
  payload.on('error', (error) => inflated.destroy(error));
  // Fastify compares Content-Length with the bytes received, not the inflated ones.
  inflated.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (inflated.receivedEncodedLength += chunk.length));
  payload.pipe(inflater).pipe(inflated);
  return inflated;
}

/**
 * The body's bytes as text in its declared charset (utf-8 when it names none), decoded by
 * iconv-lite as body-parser decodes them (a UTF byte-order mark is dropped).
 */
export function bodyText(bytes: Buffer, headers: IncomingHttpHeaders): string {
  return iconv.decode(bytes, charsetOf(headers));
}

/**
 * How deep arrays and objects may nest in a JSON body. Our bodies are flat (a field is a string,
 * at most an object of strings); class-transformer and class-validator walk a body by recursion,
 * one stack frame per level, so tens of thousands of levels in a 100 kB body overflow the stack
 * (a 500) after spending CPU all the way down. A body past the bound is refused before anything
 * walks it.
 */
export const JSON_MAX_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/**
 * Refuses (400 `entity.too.deep`) JSON text that opens more than JSON_MAX_DEPTH arrays or
 * objects inside each other. One pass over the characters with a counter, no recursion; brackets
 * inside strings do not count. Malformed text is left to the parser.
 */
export function checkJsonDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (OPENERS.has(c)) {
      if (++depth > JSON_MAX_DEPTH) throw bodyError(400, 'entity.too.deep', 'too deep');
    } else if (CLOSERS.has(c)) {
      depth--;
    }
  }
}

/**
 * body-parser's `verify` hook for its JSON parser (Express): the same depth bound on the text it
 * is about to parse, decoded in the charset it will use.
 */
export function verifyJsonDepth(_req: unknown, _res: unknown, bytes: Buffer, charset: string | null): void {
  checkJsonDepth(iconv.decode(bytes, charset ?? 'utf-8'));
}

/** Strict JSON: an object or an array; an empty body is `{}`; a BOM is dropped; nested at most JSON_MAX_DEPTH deep. */
export function parseJson(body: string): unknown {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (text.length === 0) return {};
  // First, as body-parser's verify hook runs before its parser looks at the text.
  checkJsonDepth(text);
  const first = /^[\x20\x09\x0a\x0d]*(.)/s.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw bodyError(400, 'entity.parse.failed', 'Unexpected token');
  try {
    return JSON.parse(text);
  } catch {
    throw bodyError(400, 'entity.parse.failed', 'Unexpected token');
  }
}

const PARAMETER_LIMIT = 1000;

/**
 * urlencoded with `extended: false`: qs at depth 0, at most 1000 parameters (413 past that). The
 * bytes (bodyText) and the %-escapes are read in the declared charset, which checkedPayload
 * allowed to be utf-8 or iso-8859-1 only.
 */
export function parseForm(bytes: Buffer, headers: IncomingHttpHeaders): Record<string, unknown> {
  const charset = charsetOf(headers) === 'iso-8859-1' ? 'iso-8859-1' : 'utf-8';
  const body = bodyText(bytes, headers);
  if (body.length === 0) return {};
  let count = 0;
  let index = -1;
  do {
    count++;
    if (count > PARAMETER_LIMIT) throw bodyError(413, 'parameters.too.many', 'too many parameters');
    index = body.indexOf('&', index + 1);
  } while (index !== -1);
  try {
    return qs.parse(body, { allowPrototypes: true, arrayLimit: count, depth: 0, parameterLimit: PARAMETER_LIMIT, strictDepth: true, charset });
  } catch (error) {
    if (error instanceof RangeError) throw bodyError(400, 'querystring.parse.rangeError', 'The input exceeded the depth');
    throw error;
  }
}
