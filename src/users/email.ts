/** Longest address we take (RFC 5321 caps a path at 256 octets, an address at 254 in practice). */
export const EMAIL_MAX_LENGTH = 254;

/**
 * A plain addr-spec: one "@", no spaces, no control characters (so never a header injection), no
 * angle brackets, quotes, commas or semicolons (so never a second recipient or a display name).
 * Deliberately narrower than RFC 5322: every address it takes is one nodemailer sends as is.
 */
export const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * The case-insensitive identity of an address, as the store's unique index sees it. Lower-casing
 * the local part too is what users expect (Ada@… and ada@… are one person) even though RFC 5321
 * lets a server tell them apart.
 */
export function emailKey(email: string): string {
  return email.toLowerCase();
}
