import { HttpResponse, sendHtml } from '../http/http';
import { createHash } from 'node:crypto';
import { Interpolation, SafeHtml, html } from './html';
import { CSRF_FIELD } from '../auth/tokens/csrf-tokens';

/** The pages' only stylesheet, inline; the CSP allows exactly this text by its hash. */
const STYLES = [
  'body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}',
  'h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}',
  'form.stack{display:grid;gap:.6rem;max-width:22rem}',
  'label{display:grid;gap:.2rem}input{font:inherit;padding:.35rem .5rem}',
  'button{font:inherit;padding:.3rem .9rem;cursor:pointer}',
  '.error{color:#a4001d;background:#fde8ec;padding:.5rem .75rem;border-radius:4px}',
  'table{border-collapse:collapse;width:100%;font-size:.9rem}',
  'th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}',
  'td.time{white-space:nowrap}.current{font-weight:600;color:#0a6b2e}.muted{color:#666}',
  'header{display:flex;justify-content:space-between;align-items:center;gap:1rem}',
  'figure.qr{margin:1rem 0}figure.qr svg{width:12rem;height:12rem}',
  'label.check{display:flex;gap:.4rem;align-items:center}',
].join('');

const STYLE_HASH = `sha256-${createHash('sha256').update(STYLES).digest('base64')}`;

/**
 * No script at all, no other origin, no framing; forms post only to this origin. Replaces
 * helmet's API-wide policy on page responses (which allows 'self' scripts and upgrades to https).
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src '${STYLE_HASH}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * helmet's `no-referrer` would make the browser send `Origin: null` on our own form posts,
 * which the CSRF guard rightly refuses; `same-origin` sends the real Origin to us and nothing
 * to anyone else.
 */
export const PAGE_REFERRER_POLICY = 'same-origin';

export function layout(title: string, body: Interpolation): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Nest Cookie Auth</title>
<style>${new SafeHtml(STYLES)}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/**
 * Pages whose URL carries a token (/reset?token=…, /verify?token=…): no Referer at all, so the
 * token cannot leak to wherever a link or a resource on the page points (there is none, and the
 * CSP keeps it so). Their form posts then carry `Origin: null`, which SameOriginGuard accepts
 * only together with `Sec-Fetch-Site: same-origin`.
 */
export const TOKEN_PAGE_REFERRER_POLICY = 'no-referrer';

export function sendPage(res: HttpResponse, status: number, page: SafeHtml, { carriesToken = false }: { carriesToken?: boolean } = {}): void {
  const referrerPolicy = carriesToken ? TOKEN_PAGE_REFERRER_POLICY : PAGE_REFERRER_POLICY;
  sendHtml(res, status, { 'Content-Security-Policy': PAGE_CSP, 'Referrer-Policy': referrerPolicy }, page.value);
}

/** CSRF_MODE=double-submit: the token each form posts back (nothing in the default mode). */
export function csrfField(token: string | undefined): SafeHtml {
  return token === undefined ? html`` : html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** A form's error, above it, announced to screen readers. */
export function errorBox(message: string | undefined): SafeHtml {
  return message ? html`<p class="error" role="alert">${message}</p>` : html``;
}
