import type { Response } from 'supertest';
import { TestApp } from './app';
import { authCookieOf, isCleared, setCookieLine } from './cookies';

/**
 * The one leak check for suites that throw bad input at the app: every response is below 500
 * and its body carries no stack trace, no password hash and no credential this check has seen
 * issued in any Set-Cookie so far.
 */
export class LeakCheck {
  readonly issuedTokens = new Set<string>();
  responsesChecked = 0;

  readonly noLeaks = (res: Response): void => {
    this.responsesChecked++;
    if (setCookieLine(res) !== undefined && !isCleared(res)) {
      const { token, refreshToken } = authCookieOf(res);
      this.issuedTokens.add(token);
      this.issuedTokens.add(refreshToken);
    }
    expect(res.status).toBeLessThan(500);
    const text = res.text ?? '';
    expect(text).not.toMatch(/stack/i);
    expect(text).not.toContain('passwordHash');
    expect(text).not.toContain('$2b$');
    for (const secret of this.issuedTokens) expect(text).not.toContain(secret);
  };

  /** `app.http()` with the check attached to every request it makes. */
  http(app: TestApp): ReturnType<TestApp['http']> {
    const client = app.http();
    const noLeaks = this.noLeaks;
    return new Proxy(client, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const made = (value as (...a: unknown[]) => unknown).apply(target, args) as { expect?: (fn: (res: Response) => void) => unknown };
          return typeof made?.expect === 'function' ? made.expect(noLeaks) : made;
        };
      },
    });
  }
}
