import { unescape } from 'node:querystring';

/** Query parameters whose value is a credential (the reset and verification links carry `token`). */
const SECRET_PARAMS = new Set(['token']);

/**
 * A request URL as the request log may record it: the value of every `token` query parameter
 * replaced, so `GET /reset?token=…` (a mail link, opened or prefetched) never writes the token.
 * A name is compared as the query parsers of both platforms read it (`+` a space, %-escapes
 * decoded) and in any case: `?%74oken=…` reaches the page as `token`, so it must not reach the log
 * as written. A value runs to the next `&`, a `#` included: the platforms disagree on whether a
 * `#` ends the query, and the log must hide the longer reading.
 */
export function loggableUrl(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  return `${url.slice(0, start + 1)}${url.slice(start + 1).split('&').map(redacted).join('&')}`;
}

function redacted(pair: string): string {
  const equals = pair.indexOf('=');
  if (equals < 0) return pair;
  const name = pair.slice(0, equals);
  return SECRET_PARAMS.has(unescape(name.replace(/\+/g, ' ')).toLowerCase()) ? `${name}=[redacted]` : pair;
}
