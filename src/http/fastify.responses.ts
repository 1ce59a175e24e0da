import accepts from 'accepts';
import encodeUrl from 'encodeurl';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { CookieOptions, HttpResponse, ResponseWriter } from './http';

/** Nest hands handlers and filters Fastify's reply; Express's response has no `raw`. */
export function isFastifyReply(res: HttpResponse): boolean {
  return 'raw' in res && 'sent' in res;
}

const fastify = (res: HttpResponse) => res as unknown as FastifyReply;

type SerializeOptions = Omit<CookieOptions, 'maxAge'> & { maxAge?: number; expires?: Date };

/**
 * Responses on Fastify, byte for byte what Express writes: the same Set-Cookie lines (`j:` JSON
 * for an object, Max-Age in seconds with its Expires, attributes in cookie's order, one line per
 * call and in call order), the same redirect bodies, JSON and HTML types.
 */
export const fastifyResponses: ResponseWriter = {
  setCookie: (res, name, value, options) => writeCookie(fastify(res), name, value, options),

  /** Express's clearCookie: empty value, expired at the epoch's first millisecond, no Max-Age. */
  clearCookie: (res, name, options) => {
    const { maxAge: _ignored, ...rest } = options;
    writeCookie(fastify(res), name, '', { ...rest, expires: new Date(1) });
  },

  setHeader: (res, name, value) => void fastify(res).header(name, value),
  headersSent: (res) => fastify(res).sent || fastify(res).raw.headersSent,
  sendJson: (res, status, body) => void fastify(res).code(status).type('application/json; charset=utf-8').send(JSON.stringify(body)),
  sendHtml: (res, status, headers, html) => void fastify(res).code(status).headers(headers).type('text/html; charset=utf-8').send(html),

  /** Express's res.redirect: a short text or HTML body as the client accepts, Vary: Accept. */
  redirect: (res, status, url) => {
    const reply = fastify(res);
    const message = STATUS_CODES[status];
    const vary = reply.getHeader('vary');
    reply.code(status).header('Location', encodeUrl(url)).header('Vary', vary ? `${String(vary)}, Accept` : 'Accept');
    let body = '';
    const type = accepts(reply.request.raw).type(['text', 'html']);
    if (type === 'text') {
      body = `${message}. Redirecting to ${url}`;
      reply.type('text/plain; charset=utf-8');
    } else if (type === 'html') {
      body = `<!DOCTYPE html><head><title>${message}</title></head><body><p>${message}. Redirecting to ${escapeHtml(url)}</p></body>`;
      reply.type('text/html; charset=utf-8');
    }
    reply.header('Content-Length', String(Buffer.byteLength(body)));
    reply.send(reply.request.method === 'HEAD' ? undefined : body);
  },
};

/** What Express's res.cookie does to its arguments, then @fastify/cookie's serializer (same attribute order). */
function writeCookie(reply: FastifyReply, name: string, value: string | object, options: SerializeOptions): void {
  const text = typeof value === 'object' ? `j:${JSON.stringify(value)}` : String(value);
  const opts: SerializeOptions = { ...options };
  if (opts.maxAge !== undefined) {
    opts.expires = new Date(Date.now() + opts.maxAge);
    opts.maxAge = Math.floor(opts.maxAge / 1000);
  }
  opts.path ??= '/';
  // reply.header appends Set-Cookie lines, as Express does (reply.setCookie would keep one per name).
  reply.header('Set-Cookie', reply.server.serializeCookie(name, text, opts));
}

/** escape-html's table, as Express's redirect body uses it. */
const ESCAPES: Record<string, string> = { '"': '&quot;', '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;' };
function escapeHtml(text: string): string {
  return text.replace(/["&'<>]/g, (c) => ESCAPES[c]);
}
