/** Query parameters whose value is a credential (the reset and verification links carry `token`). */
const SECRET_PARAMS = /([?&](?:token)=)[^&#]*/gi;

/**
 * A request URL as the request log may record it: the value of every `token` query parameter
 * replaced, so `GET /reset?token=…` (a mail link, opened or prefetched) never writes the token.
 */
export function loggableUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}
