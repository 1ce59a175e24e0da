// The fuzz's oracle: what every answer must satisfy (no 5xx, no leak of ours, no live markup
// from the input), the cases and their failure reports, the run settings (FUZZ_SEED, FUZZ_RUNS,
// FUZZ_TRACE), and the helpers the specs use to decide what an accepted request may change.
import { appendFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Response } from 'supertest';

export const SEED = intFromEnv('FUZZ_SEED', 4242);
export const BASE_RUNS = intFromEnv('FUZZ_RUNS', 120);
export const runs = (weight: number) => Math.max(1, Math.round(BASE_RUNS * weight));
export const TIMEOUT = 120_000 + BASE_RUNS * 3_000;
export const BODY_LIMIT = 100 * 1024;

export const stats = { cases: 0, endpoints: new Set<string>(), statuses: new Map<string, Map<number, number>>() };

/** FUZZ_TRACE=<file> appends every case and its answer to that file. */
export function trace(text: string): void {
  if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${text}\n---\n`);
}

export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

/* ------------------------------------------------------------------ requests and checks */

export type Method = 'get' | 'post' | 'patch' | 'delete';

export interface Body {
  contentType?: string;
  raw: string | Buffer;
}

export interface Case {
  /** The route template, for the endpoint count and the report. */
  endpoint: string;
  method: Method;
  /** Already percent-encoded where it needs to be. */
  path: string;
  cookie?: string;
  body?: Body;
  headers?: Record<string, string>;
}

export const cut = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);
export const bodyText = (body?: Body) => (body === undefined ? '' : typeof body.raw === 'string' ? body.raw : body.raw.toString('latin1'));

export function describeCase(c: Case, res?: Response): string {
  const lines = [`${c.method.toUpperCase()} ${cut(c.path, 300)}   [${c.endpoint}]`];
  if (c.cookie !== undefined) lines.push(`Cookie: ${cut(c.cookie, 300)}`);
  for (const [k, v] of Object.entries(c.headers ?? {})) lines.push(`${k}: ${cut(v, 200)}`);
  if (c.body) lines.push(`Content-Type: ${c.body.contentType ?? '(none)'}`, `body: ${cut(JSON.stringify(bodyText(c.body)), 600)}`);
  if (res) lines.push(`=> ${res.status} ${cut(res.text ?? '', 600)}`);
  return lines.join('\n');
}

export class FuzzFailure extends Error {
  constructor(what: string, c: Case, res?: Response) {
    super(`${what}\n${describeCase(c, res)}`);
    this.name = 'FuzzFailure';
  }
}

export const STACK_FRAME = /\bat\s+(?:[^\s()]+\s+)?\(?(?:\/|[A-Za-z]:\\|file:|node:)[^\s)]*/g;
export const LEAKS: RegExp[] = [STACK_FRAME, /Error:/g, /\$2[abxy]?\$\d\d\$/g, /passwordHash/g];

/**
 * Everything accepted requests have stored (names, user agents...): a later page or list that
 * shows it back quotes the fuzz's own text, not ours.
 */
export const stored = { text: '' };

/** Text the case itself sent, or an earlier one stored: a response that quotes it back leaks nothing of ours. */
export function sentText(c: Case): string {
  return `${ownText(c)}\n${stored.text}`;
}

export function ownText(c: Case): string {
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

export function checkResponse(c: Case, res: Response): void {
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

export const CLEAN_PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/**
 * The pages have no script and no event handlers of their own, and every attribute value is
 * double-quoted: a <script>, or an on…= / javascript: outside a quoted value, can only have come
 * from input that was not escaped.
 */
export function htmlInjection(page: string): string | null {
  const script = /<script|<iframe|<object|<embed/i.exec(page);
  if (script) return script[0];
  for (const [tag] of page.matchAll(/<[a-zA-Z][^>]*>/g)) {
    const outsideValues = tag.replace(/"[^"]*"/g, '""');
    if (/[\s/]on[a-z]+\s*=|javascript:|[\s/]srcdoc\s*=|'/i.test(outsideValues)) return tag;
    if (/[\s/](?:href|src|action|formaction)\s*=\s*"\s*(?:javascript|data|vbscript):/i.test(tag)) return tag;
  }
  return null;
}
export interface Snapshot {
  total: number;
  me: Record<string, unknown>;
  sessions: unknown[];
  victim: unknown;
  victimLive: number;
}

/** Own keys of a JSON or urlencoded body as the server would have parsed it, or null when it is neither. */
export function parsedOwn(body: Body | undefined): Record<string, unknown> | null {
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
export const wellFormed = (text: unknown) => typeof text !== 'string' || !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
export const own = (o: Record<string, unknown>, key: string) => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);
export const isString = (v: unknown): v is string => typeof v === 'string';
export const codePoints = (v: unknown) =>
  typeof v === 'string' ? [...v].map((ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ') : JSON.stringify(v);
