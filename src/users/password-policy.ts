import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../config/app-config';

/** Whose password it is: the words a guesser tries first for this account. */
export interface PasswordOwner {
  username: string;
  /** The display name (the one the account has or is about to have). */
  name?: string;
}

/** The service's name, in the forms a user might build a password from. */
const SERVICE_TERMS = ['nestcookieauth', 'nestcookie', 'cookieauth'];

/** Words shorter than this are too common inside other words to count as "the username". */
const MIN_TERM_LENGTH = 3;
/** What is left beside the username must be at least this long, digits at its ends aside. */
const MIN_REMAINDER_LENGTH = 4;

/**
 * The ~49,000 most common passwords that @zxcvbn-ts/language-common ships (lower case),
 * loaded once when this module is first imported (~60 ms).
 */
const COMMON = new Set<string>(dictionary['passwords-common']);

/** Lower case, compatibility forms folded, everything but letters and digits removed. */
export function squash(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * On the common-password list: the whole password, lower-cased, is an entry, or it is one once
 * spaces and symbols are dropped ("I love you", "Password!"). Never a substring match: a long
 * passphrase that contains "dragon" is not a common password.
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  return COMMON.has(lower) || COMMON.has(squash(lower));
}

export type PasswordSource = 'username' | 'name' | 'service';

/**
 * Which of the account's own words the password is built from, or null.
 *
 * "Built from" means: once squashed (lower case, letters and digits only), the password contains
 * the username, the display name, the service's name, or one of their words of 3+ characters,
 * and what is left after removing every such occurrence is trivial: shorter than 4 characters
 * once digits at its ends are set aside ("ada_lovelace1985", "John.Smith!"), one to three
 * characters repeated ("adaxxxxxxx", "nestcookieauthabcabc"), or itself a common password
 * ("adamonkey99"). A passphrase that merely contains the username among other words
 * ("ada writes long poems under a lamp") leaves a long, uncommon remainder and passes.
 * Leetspeak and reversed names are not recognised.
 */
export function builtFrom(password: string, owner: PasswordOwner): PasswordSource | null {
  const squashed = squash(password);
  const sources: [PasswordSource, string[]][] = [
    ['username', termsOf(owner.username)],
    ['name', termsOf(owner.name ?? '')],
    ['service', SERVICE_TERMS],
  ];
  const found = sources.filter(([, terms]) => terms.some((term) => squashed.includes(term)));
  if (found.length === 0) return null;
  const allTerms = [...new Set(sources.flatMap(([, terms]) => terms))].sort((a, b) => b.length - a.length);
  const rest = allTerms.reduce((left, term) => left.split(term).join(''), squashed);
  const core = rest.replace(/^\p{N}+|\p{N}+$/gu, '');
  const trivial = core.length < MIN_REMAINDER_LENGTH || /^(.{1,3})\1+$/u.test(core) || COMMON.has(rest) || COMMON.has(core);
  return trivial ? found[0][0] : null;
}

function termsOf(value: string): string[] {
  const words = value.split(/[^\p{L}\p{N}]+/u).map(squash);
  return [...new Set([squash(value), ...words])].filter((term) => term.length >= MIN_TERM_LENGTH);
}

const BUILT_FROM_MESSAGE: Record<PasswordSource, string> = {
  username: 'This password is built from your username: choose one that a guesser who knows your username would not try',
  name: 'This password is built from your display name: choose one that a guesser who knows your name would not try',
  service: "This password is built from the service's name: choose one that is not about this site",
};

/**
 * NIST SP 800-63B 3.1.1.2: a new password is refused when it is already known to guessers.
 * Signup, password change and reset all call `check` before hashing. The message says which rule
 * refused it and never repeats the password.
 */
@Injectable()
export class PasswordPolicy {
  private readonly logger = new Logger('PasswordPolicy');

  constructor(private readonly config: AppConfig) {}

  async check(password: string, owner: PasswordOwner): Promise<void> {
    if (isCommonPassword(password)) {
      throw new BadRequestException('This password is on a list of commonly used passwords: choose another (several unrelated words make a good one)');
    }
    const source = builtFrom(password, owner);
    if (source) throw new BadRequestException(BUILT_FROM_MESSAGE[source]);
    if (await this.isPwned(password)) {
      throw new BadRequestException('This password has appeared in a known data breach (Have I Been Pwned): choose another');
    }
  }

  /**
   * The Have I Been Pwned range API by k-anonymity: only the first 5 hex characters of the
   * password's SHA-1 leave this process; the service answers every suffix it knows under that
   * prefix (padded with fake count-0 entries, so the answer's size says nothing either), and the
   * match happens here. Fail-open: a slow, down or odd answer lets the password through with a
   * warning, because an outside service must not be able to stop every signup and reset. The
   * local list above still applies.
   */
  private async isPwned(password: string): Promise<boolean> {
    const { pwnedUrl, pwnedTimeoutMs } = this.config.passwords;
    if (!pwnedUrl) return false;
    const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    const [prefix, suffix] = [sha1.slice(0, 5), sha1.slice(5)];
    const signal = AbortSignal.timeout(pwnedTimeoutMs);
    try {
      const res = await fetch(`${pwnedUrl}/range/${prefix}`, { headers: { 'Add-Padding': 'true', 'User-Agent': 'nest-cookie-auth' }, signal });
      if (!res.ok) return this.skipped(`it answered HTTP ${res.status}`);
      for (const line of (await res.text()).split('\n')) {
        const [candidate, count] = line.trim().split(':');
        if (candidate?.toUpperCase() === suffix && Number(count) > 0) return true;
      }
      return false;
    } catch {
      return this.skipped(signal.aborted ? `no answer within ${pwnedTimeoutMs} ms` : 'it could not be reached');
    }
  }

  /** Never the password, its hash or the prefix: only that the check was skipped, and why. */
  private skipped(reason: string): false {
    this.logger.warn({ event: 'pwned_check_skipped', reason: `Pwned Passwords check skipped, password accepted: ${reason}` });
    return false;
  }
}
