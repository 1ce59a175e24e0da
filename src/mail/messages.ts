import { MailMessage } from './mailer';

/**
 * The mails the service sends. Plain text only: nothing to render, nothing that loads from
 * elsewhere. Addresses reach here validated (no CR/LF), and nodemailer encodes every header.
 * No mail carries text a user chose (a username such as www.evil-login.example would become a
 * link in the reader's mail client): the only links are our own, built from PUBLIC_URL.
 */
const SERVICE = 'Nest Cookie Auth';

const ttl = (seconds: number) =>
  seconds % 86400 === 0 ? `${seconds / 86400} day(s)` : seconds % 3600 === 0 ? `${seconds / 3600} hour(s)` : `${Math.round(seconds / 60)} minutes`;

export function passwordResetMail(to: string, link: string, ttlSeconds: number): MailMessage {
  return {
    to,
    subject: `${SERVICE}: reset your password`,
    text: `Someone (hopefully you) asked to reset the password of the ${SERVICE} account with this address.

To choose a new password, open this link within ${ttl(ttlSeconds)}:

${link}

The link works once. Opening it changes nothing until you submit a new password.
If you did not ask for this, ignore this message: your password stays as it is.
`,
  };
}

export function verificationMail(to: string, link: string, ttlSeconds: number): MailMessage {
  return {
    to,
    subject: `${SERVICE}: confirm your e-mail address`,
    text: `This address was given for a ${SERVICE} account.

To confirm that it is yours, open this link within ${ttl(ttlSeconds)} and press the button:

${link}

If you did not give this address, ignore this message.
`,
  };
}

/** To the verified address, after every new password: set by its owner (`changed`) or through a reset link (`reset`). */
export function passwordChangedMail(to: string, how: 'changed' | 'reset'): MailMessage {
  const what = how === 'reset' ? 'was just reset through a link mailed to this address, and every session was signed out' : 'was just changed, and every other session was signed out';
  return {
    to,
    subject: `${SERVICE}: your password was changed`,
    text: `The password of your ${SERVICE} account ${what}.

If this was not you, reset your password at once ("Forgot password?" on the sign-in page) and check the address on your account.
`,
  };
}

/** To the verified address an account has just left, with the single-use way back. */
export function emailChangedMail(to: string, link: string, ttlSeconds: number): MailMessage {
  return {
    to,
    subject: `${SERVICE}: the address of your account was changed`,
    text: `The e-mail address of your ${SERVICE} account was just changed from this address to another one.
Password-reset links now go to the new address only.

If this was not you, open this link within ${ttl(ttlSeconds)} and press the button:

${link}

It gives this address back to the account, signs out every session (including whoever made the
change) and cancels any reset link sent elsewhere; then reset your password from the sign-in page.
The link works once. Opening it changes nothing until you press the button.
`,
  };
}

/** To the verified address, after every change of second factors and every recovery code used. */
export function factorsChangedMail(to: string, what: string): MailMessage {
  return {
    to,
    subject: `${SERVICE}: the sign-in methods of your account changed`,
    text: `${what}

If this was not you, reset your password at once ("Forgot password?" on the sign-in page), then check
the sign-in methods on your account page.
`,
  };
}

/** Sent to a verified address when another signup or account change gave it: the new account never learns. */
export function addressInUseMail(to: string): MailMessage {
  return {
    to,
    subject: `${SERVICE}: your address was given for another account`,
    text: `Someone gave this address for another account. It already belongs to your account, so
nothing was changed and the other account cannot use it.

If that was you, sign in to your existing account instead (or reset its password).
`,
  };
}
