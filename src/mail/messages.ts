import { MailMessage } from './mailer';

/**
 * The mails the service sends. Plain text only: nothing to render, nothing that loads from
 * elsewhere. Addresses reach here validated (no CR/LF), and nodemailer encodes every header.
 */
const SERVICE = 'Nest Cookie Auth';

const ttl = (seconds: number) => (seconds % 3600 === 0 ? `${seconds / 3600} hour(s)` : `${Math.round(seconds / 60)} minutes`);

export function passwordResetMail(to: string, username: string, link: string, ttlSeconds: number): MailMessage {
  return {
    to,
    subject: `${SERVICE}: reset your password`,
    text: `Someone (hopefully you) asked to reset the password of the account "${username}".

To choose a new password, open this link within ${ttl(ttlSeconds)}:

${link}

The link works once. Opening it changes nothing until you submit a new password.
If you did not ask for this, ignore this message: your password stays as it is.
`,
  };
}

export function verificationMail(to: string, username: string, link: string, ttlSeconds: number): MailMessage {
  return {
    to,
    subject: `${SERVICE}: confirm your e-mail address`,
    text: `This address was given for the account "${username}".

To confirm that it is yours, open this link within ${ttl(ttlSeconds)} and press the button:

${link}

If you did not give this address, ignore this message.
`,
  };
}

export function passwordChangedMail(to: string, username: string): MailMessage {
  return {
    to,
    subject: `${SERVICE}: your password was changed`,
    text: `The password of the account "${username}" was just reset, and every session was signed out.

If this was not you, reset your password again at once and check the address on your account.
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
