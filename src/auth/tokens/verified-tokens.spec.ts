import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens (the access path’s memory of verified tokens)', () => {
  const claims = { sub: 'user-1', sid: 'session-1', authTime: 1_796_000_000 };
  const exp = 1_796_000_900; // seconds

  it('remembers a token until its own exp, and not a millisecond longer', () => {
    const memory = new VerifiedTokens();
    memory.remember('token-a', claims, exp);
    expect(memory.get('token-a', exp * 1000 - 1)).toEqual(claims);
    expect(memory.get('token-a', exp * 1000)).toBeNull();
    expect(memory.get('token-a', exp * 1000 - 1)).toBeNull(); // forgotten once seen expired
  });

  it('only knows the exact token it was given', () => {
    const memory = new VerifiedTokens();
    memory.remember('token-a', claims, exp);
    expect(memory.get('token-b', exp * 1000 - 1)).toBeNull();
    expect(memory.get('token-a ', exp * 1000 - 1)).toBeNull();
  });

  it('keeps genuine tokens apart: one remembered for naming its session never answers for access', () => {
    const memory = new VerifiedTokens();
    memory.rememberGenuine('token-a', claims);
    expect(memory.genuineClaims('token-a')).toEqual(claims);
    expect(memory.get('token-a', 0)).toBeNull();
    expect(memory.genuineClaims('token-b')).toBeNull();
  });
});
