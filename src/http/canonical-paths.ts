import type { AppConfig } from '../config/app-config';
import { RawMiddleware, corsAnswerHeaders } from './platform';

const UNRESERVED = /^[A-Za-z0-9._~-]$/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/**
 * Whether the path (the URL before `?`) spells an unreserved character (a letter, a digit, `-`,
 * `.`, `_`, `~`) as a %-escape: `/auth/%6De`, `/d%6Fcs`, `/h%65alth/live`.
 */
export function encodesUnreserved(url: string): boolean {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  for (let at = path.indexOf('%'); at !== -1; at = path.indexOf('%', at + 1)) {
    const hex = path.slice(at + 1, at + 3);
    if (HEX_PAIR.test(hex) && UNRESERVED.test(String.fromCharCode(parseInt(hex, 16)))) return true;
  }
  return false;
}

/**
 * A path that spells an unreserved character as a %-escape is a 404, on both platforms, before
 * any router sees it. Express matches routes on the path as sent and Fastify on the decoded
 * path, so `/d%6Fcs` reached /docs on one platform only; and a proxy in front that allows or
 * blocks by path ("deny /docs") sees the path as sent. Answering only the spelling a proxy sees
 * keeps the two in agreement (RFC 3986 calls these spellings equivalent, and no client or link
 * of ours writes them). The answer is the platforms' 404, CORS headers included.
 */
export function refuseEncodedPaths(config: AppConfig): RawMiddleware {
  return function refuseEncodedPaths(req, res, next) {
    const url = req.url ?? '/';
    if (!url.includes('%') || !encodesUnreserved(url)) return next();
    for (const [name, value] of corsAnswerHeaders(req.headers.origin, config)) res.setHeader(name, value);
    res.statusCode = 404;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ statusCode: 404, error: 'Not Found', message: `Cannot ${req.method} ${url}` }));
  };
}
