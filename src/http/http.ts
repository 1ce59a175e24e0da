import type { IncomingHttpHeaders } from 'node:http';
import { expressResponses } from './express.responses';
import { fastifyResponses, isFastifyReply } from './fastify.responses';

/**
 * The app's only view of HTTP. Services, guards, filters and controllers read requests and write
 * responses through this file, never through Express or Fastify; `HTTP_PLATFORM` picks which one
 * serves (src/http/*.platform.ts), and both give a client the same bytes.
 */

/** What the app reads of a request. Express's Request and Fastify's FastifyRequest both have it. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  body?: unknown;
  /** Parsed cookies; a `j:` value already read back as JSON (cookie-parser's JSONCookies, on both platforms). */
  readonly cookies?: Record<string, unknown>;
  /** The caller, once a guard found one. */
  user?: unknown;
  /** CSRF_MODE=double-submit: the token for forms (set by CsrfTokenGuard). */
  csrfToken?: () => string;
}

/** A response: written only through the functions below. */
export type HttpResponse = object & { readonly __httpResponse?: never };

export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'lax' | 'strict' | 'none';
  path: string;
  /** Milliseconds, as Express takes it; sent as Max-Age in seconds with the matching Expires. */
  maxAge?: number;
}

/** How one platform writes a response; src/http/*.responses.ts. */
export interface ResponseWriter {
  setCookie(res: HttpResponse, name: string, value: string | object, options: CookieOptions): void;
  clearCookie(res: HttpResponse, name: string, options: CookieOptions): void;
  setHeader(res: HttpResponse, name: string, value: string): void;
  headersSent(res: HttpResponse): boolean;
  sendJson(res: HttpResponse, status: number, body: unknown): void;
  sendHtml(res: HttpResponse, status: number, headers: Record<string, string>, html: string): void;
  redirect(res: HttpResponse, status: number, url: string): void;
}

const writerOf = (res: HttpResponse): ResponseWriter => (isFastifyReply(res) ? fastifyResponses : expressResponses);

/** A request header, or undefined (names are case-insensitive). */
export function header(req: HttpRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The number the request log gave this request (pino-http writes it on node's own request: the
 * request itself on Express, `raw` on Fastify), or null before the log has seen it.
 */
export function requestIdOf(req: HttpRequest): string | number | null {
  const raw = (req as { raw?: { id?: unknown } }).raw ?? (req as { id?: unknown });
  return typeof raw.id === 'number' || typeof raw.id === 'string' ? raw.id : null;
}

export function cookiesOf(req: HttpRequest): Record<string, unknown> | undefined {
  return req.cookies;
}

/** An object value goes out as Express writes it: `j:` + its JSON. */
export function setCookie(res: HttpResponse, name: string, value: string | object, options: CookieOptions): void {
  writerOf(res).setCookie(res, name, value, options);
}

export function clearCookie(res: HttpResponse, name: string, options: CookieOptions): void {
  writerOf(res).clearCookie(res, name, options);
}

export function setHeader(res: HttpResponse, name: string, value: string): void {
  writerOf(res).setHeader(res, name, value);
}

export function headersSent(res: HttpResponse): boolean {
  return writerOf(res).headersSent(res);
}

export function sendJson(res: HttpResponse, status: number, body: unknown): void {
  writerOf(res).sendJson(res, status, body);
}

/** `text/html; charset=utf-8` with the given extra headers. */
export function sendHtml(res: HttpResponse, status: number, headers: Record<string, string>, html: string): void {
  writerOf(res).sendHtml(res, status, headers, html);
}

export function redirect(res: HttpResponse, status: number, url: string): void {
  writerOf(res).redirect(res, status, url);
}
