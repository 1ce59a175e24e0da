import { Session } from '../sessions/session';
import { User } from '../users/user';
import { SafeHtml, html } from './html';
import { csrfField, errorBox, layout } from './layout';
import { PASSWORD_MIN_LENGTH } from '../users/passwords';
import type { SecondFactorStatus } from '../mfa/second-factors.service';
import type { RememberedDevice } from '../mfa/second-factors.repository';
import { signInMethodsSection } from './sign-in-methods.views';

export interface FormState {
  /** Shown above the form (escaped like everything else). */
  error?: string;
  /** Typed back into the username field after a failed attempt. */
  username?: string;
  /** CSRF_MODE=double-submit: the token each form posts back. */
  csrfToken?: string;
}

export interface AccountView {
  user: User;
  sessions: Session[];
  currentSessionId: string;
  mfa: SecondFactorStatus;
  rememberedDevices: RememberedDevice[];
  csrfToken?: string;
}

export function loginPage(state: FormState = {}): SafeHtml {
  return layout('Sign in', html`<h1>Sign in</h1>
${errorBox(state.error)}
<form class="stack" method="post" action="/pages/login">${csrfField(state.csrfToken)}
<label>Username <input name="username" autocomplete="username" required maxlength="64" value="${state.username ?? ''}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p class="muted"><a href="/forgot" id="forgot">Forgot password?</a> · No account yet? <a href="/signup">Create one</a>.</p>`);
}

/** After the password, for an account with a second factor: a code from the app, or a recovery code. No script. */
export function secondStepPage(state: FormState = {}): SafeHtml {
  return layout('Second step', html`<h1>Second step</h1>
${errorBox(state.error)}
<form class="stack" method="post" action="/pages/login/mfa">${csrfField(state.csrfToken)}
<label>Code from your authenticator app <input name="code" inputmode="numeric" autocomplete="one-time-code" required pattern="[0-9]{6}" maxlength="6"></label>
<label class="check"><input type="checkbox" name="rememberDevice" value="true"> Don't ask again on this browser</label>
<button type="submit">Continue</button>
</form>
<details><summary>Use a recovery code instead</summary>
<form class="stack" method="post" action="/pages/login/mfa">${csrfField(state.csrfToken)}
<label>Recovery code <input name="recoveryCode" autocomplete="off" required maxlength="32"></label>
<label class="check"><input type="checkbox" name="rememberDevice" value="true"> Don't ask again on this browser</label>
<button type="submit">Continue</button>
</form>
</details>
<p class="muted"><a href="/login">Start again</a></p>`);
}

export function forgotPage(state: FormState = {}): SafeHtml {
  return layout('Forgot password', html`<h1>Forgot your password?</h1>
${errorBox(state.error)}
<p>Give your username or your verified e-mail address. If the account has a verified address, a link to choose a new password is mailed to it.</p>
<form class="stack" method="post" action="/pages/forgot">${csrfField(state.csrfToken)}
<label>Username or e-mail address <input name="account" autocomplete="username" required maxlength="254" value="${state.username ?? ''}"></label>
<button type="submit">Send the link</button>
</form>
<p class="muted"><a href="/login">Back to sign in</a></p>`);
}

export function messagePage(title: string, message: string, link: { href: string; text: string } = { href: '/login', text: 'Sign in' }): SafeHtml {
  return layout(title, html`<h1>${title}</h1>
<p role="status">${message}</p>
<p><a href="${link.href}">${link.text}</a></p>`);
}

export interface TokenFormState {
  token: string;
  error?: string;
  csrfToken?: string;
}

/** GET /reset?token=…: only shows the form; nothing changes until it is posted (mail scanners fetch links). */
export function resetPage({ token, error, csrfToken }: TokenFormState): SafeHtml {
  return layout('Choose a new password', html`<h1>Choose a new password</h1>
${errorBox(error)}
<form class="stack" method="post" action="/pages/reset">${csrfField(csrfToken)}
<input type="hidden" name="token" value="${token}">
<label>New password (${PASSWORD_MIN_LENGTH} characters or more) <input name="password" type="password" autocomplete="new-password" required minlength="${PASSWORD_MIN_LENGTH}"></label>
<button type="submit">Set the new password</button>
</form>
<p class="muted">Every session of the account is signed out when the password changes.</p>`);
}

/** GET /verify?token=…: a button, so that a mail scanner fetching the link verifies nothing. */
export function verifyPage({ token, error, csrfToken }: TokenFormState): SafeHtml {
  return layout('Confirm your e-mail address', html`<h1>Confirm your e-mail address</h1>
${errorBox(error)}
<form class="stack" method="post" action="/pages/verify">${csrfField(csrfToken)}
<input type="hidden" name="token" value="${token}">
<button type="submit">Confirm this address</button>
</form>`);
}

/** GET /secure-account?token=…: a button, so that a mail scanner fetching the link ends nothing. */
export function secureAccountPage({ token, error, csrfToken }: TokenFormState): SafeHtml {
  return layout('Secure your account', html`<h1>Secure your account</h1>
${errorBox(error)}
<p>If you did not change your account's e-mail address, press the button: this address becomes the account's again, every session is signed out
(including whoever made the change), and any reset link sent elsewhere stops working. Then reset your password.</p>
<form class="stack" method="post" action="/pages/secure-account">${csrfField(csrfToken)}
<input type="hidden" name="token" value="${token}">
<button type="submit">This was not me: secure my account</button>
</form>`);
}

export function signupPage(state: FormState = {}): SafeHtml {
  return layout('Create an account', html`<h1>Create an account</h1>
${errorBox(state.error)}
<form class="stack" method="post" action="/pages/signup">${csrfField(state.csrfToken)}
<label>Username <input name="username" autocomplete="username" required minlength="3" maxlength="32" value="${state.username ?? ''}"></label>
<label>Display name (optional) <input name="name" autocomplete="name" maxlength="64"></label>
<label>Password (${PASSWORD_MIN_LENGTH} characters or more) <input name="password" type="password" autocomplete="new-password" required minlength="${PASSWORD_MIN_LENGTH}"></label>
<button type="submit">Create account</button>
</form>
<p class="muted">Already registered? <a href="/login">Sign in</a>.</p>`);
}

export function accountPage({ user, sessions, currentSessionId, mfa, rememberedDevices, csrfToken }: AccountView): SafeHtml {
  const rows = sessions.map((session) => sessionRow(session, session.id === currentSessionId, csrfToken));
  return layout('Your account', html`<header>
<h1>Signed in as <span id="display-name">${user.name}</span></h1>
<form method="post" action="/pages/logout">${csrfField(csrfToken)}<button type="submit" id="logout">Sign out</button></form>
</header>
<p>Username <strong id="username">${user.username}</strong> · member since ${formatTime(user.createdAt)}</p>
<p>E-mail <span id="email">${user.email ?? 'none'}</span>${user.email ? html` <span id="email-status" class="muted">(${user.emailVerified ? 'verified' : 'not verified yet: open the link mailed to it'})</span>` : ''}</p>
${signInMethodsSection(mfa, rememberedDevices, csrfToken)}
<h2>Your sessions</h2>
<table class="sessions">
<thead><tr><th>Device</th><th>IP</th><th>Signed in</th><th>Last used</th><th>Expires</th><th></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`);
}

export function errorPage(status: number, message: string): SafeHtml {
  return layout(`Error ${status}`, html`<h1>Something went wrong (${status})</h1>
<p class="error" role="alert">${message}</p>
<p><a href="/account">Back to your account</a> · <a href="/login">Sign in</a></p>`);
}

function sessionRow(session: Session, current: boolean, csrfToken: string | undefined): SafeHtml {
  const action = current
    ? html`<span class="current">This device</span>`
    : html`<form method="post" action="/pages/sessions/${session.id}/revoke">${csrfField(csrfToken)}<button type="submit">Revoke</button></form>`;
  return html`<tr data-session-id="${session.id}" data-current="${String(current)}">
<td>${session.userAgent ?? 'unknown'}</td><td>${session.ip ?? 'unknown'}</td>
<td class="time">${formatTime(session.createdAt)}</td><td class="time">${formatTime(session.lastUsedAt)}</td><td class="time">${formatTime(session.expiresAt)}</td>
<td>${action}</td>
</tr>
`;
}


/** No client script to localise times: UTC, to the minute. */
function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Nothing unless CSRF_MODE=double-submit gave the page a token. */
