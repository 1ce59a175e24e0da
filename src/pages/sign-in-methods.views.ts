import type { RememberedDevice } from '../mfa/second-factors.repository';
import type { SecondFactorStatus } from '../mfa/second-factors.service';
import { SafeHtml, html } from './html';
import { csrfField, errorBox, layout } from './layout';

/** Every change of factors needs a recent sign-in, or the password typed here. */
function currentPasswordField(): SafeHtml {
  return html`<label>Current password (not needed if you signed in a few minutes ago)
<input name="currentPassword" type="password" autocomplete="current-password"></label>`;
}

/** The account page's part on how this account signs in. */
export function signInMethodsSection(mfa: SecondFactorStatus, remembered: RememberedDevice[], csrfToken: string | undefined): SafeHtml {
  const totp = mfa.totp
    ? html`<p>Authenticator app: <strong id="totp-status">on</strong> · <span id="recovery-codes-left">${String(mfa.recoveryCodesLeft)}</span> recovery codes left</p>
<form class="stack" method="post" action="/pages/account/recovery-codes">${csrfField(csrfToken)}
${currentPasswordField()}
<button type="submit" id="new-recovery-codes">Make new recovery codes</button>
</form>
<form class="stack" method="post" action="/pages/account/totp/delete">${csrfField(csrfToken)}
${currentPasswordField()}
<button type="submit" id="totp-off">Turn the authenticator app off</button>
</form>
${rememberedDevicesPart(remembered, csrfToken)}`
    : html`<p>Authenticator app: <strong id="totp-status">off</strong>. With it on, signing in asks for a code from your phone after the password.</p>
<form class="stack" method="post" action="/pages/account/totp">${csrfField(csrfToken)}
${currentPasswordField()}
<button type="submit" id="totp-on">Set up an authenticator app</button>
</form>`;
  return html`<h2>Sign-in methods</h2>
<p>Password · <a href="/forgot">forgot it?</a></p>
${totp}`;
}

/** Browsers that skip the second step ("don't ask again"), each until its time is up. */
function rememberedDevicesPart(remembered: RememberedDevice[], csrfToken: string | undefined): SafeHtml {
  if (remembered.length === 0) return html`<p class="muted" id="remembered-devices">No browser skips the second step.</p>`;
  const rows = remembered.map(
    (device) => html`<li>Remembered ${device.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, until ${device.expiresAt.toISOString().slice(0, 10)}</li>
`,
  );
  return html`<p>Browsers that skip the second step:</p>
<ul id="remembered-devices">
${rows}</ul>
<form method="post" action="/pages/account/remembered-devices/forget">${csrfField(csrfToken)}<button type="submit" id="forget-devices">Ask on every browser again</button></form>`;
}

export interface TotpSetupState {
  /** The QR code of the otpauth URI, as SVG markup made on the server. */
  qrSvg: string;
  /** The same secret in base32, for typing into the app by hand. */
  secret: string;
  error?: string;
  csrfToken?: string;
}

/** GET /account/totp: the QR code and the secret of the set-up in progress, and the code that turns it on. */
export function totpSetupPage({ qrSvg, secret, error, csrfToken }: TotpSetupState): SafeHtml {
  return layout('Set up an authenticator app', html`<h1>Set up an authenticator app</h1>
${errorBox(error)}
<p>Scan this code with your authenticator app, or type the key below into it.</p>
<figure class="qr">${new SafeHtml(qrSvg)}</figure>
<p>Key: <code id="totp-secret">${secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
<form class="stack" method="post" action="/pages/account/totp/confirm">${csrfField(csrfToken)}
<label>The 6-digit code the app shows <input name="code" inputmode="numeric" autocomplete="one-time-code" required pattern="[0-9]{6}" maxlength="6"></label>
<button type="submit">Turn it on</button>
</form>
<p class="muted"><a href="/account">Cancel</a></p>`);
}

/** After turning a second factor on, or asking for new codes: the recovery codes, shown this once. */
export function recoveryCodesPage(recoveryCodes: string[]): SafeHtml {
  return layout('Your recovery codes', html`<h1>Your recovery codes</h1>
<p role="status">Keep these somewhere safe: each one signs you in once if you lose your phone. They are shown only now.</p>
<ul id="recovery-codes">
${recoveryCodes.map((code) => html`<li><code>${code}</code></li>\n`)}
</ul>
<p><a href="/account">Back to your account</a></p>`);
}
