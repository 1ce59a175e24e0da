import { BadRequestException } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PasswordPolicy, builtFrom, isCommonPassword } from './password-policy';

const ada = { username: 'ada_lovelace', name: 'Ada Lovelace' };

describe('isCommonPassword (the @zxcvbn-ts/language-common list)', () => {
  it.each(['password', '12345678', 'PassWord', 'iloveyou', 'I love you', 'Password!', 'qwertyuiop', 'letmein1'])('refuses %p', (password) =>
    expect(isCommonPassword(password)).toBe(true),
  );

  it.each(['correct horse battery', 'a brand new secret', 'another long secret', 'not it at all', 'my dragon sleeps under the stairs'])(
    'accepts %p (whole-password matches only, never a word inside)',
    (password) => expect(isCommonPassword(password)).toBe(false),
  );
});

describe('builtFrom (username, display name, service name)', () => {
  it.each([
    ['ada_lovelace', 'username'],
    ['Ada_Lovelace!!', 'username'],
    ['adalovelace1985', 'username'],
    ['1985ada.lovelace', 'username'],
    ['lovelace2024!', 'username'],
    ['ada_lovelace_xyz', 'username'],
    ['lovelacexxxxxxx', 'username'],
    ['lovelaceabcabcabc', 'username'],
    ['lovelacemonkey99', 'username'],
    ['Nest-Cookie-Auth 2026', 'service'],
    ['nest cookie auth!!', 'service'],
    ['cookieauth12345', 'service'],
  ])('refuses %p as built from the %s', (password, source) => expect(builtFrom(password, ada)).toBe(source));

  it('tells the display name from the username', () => {
    expect(builtFrom('Grace Hopper 1906', { username: 'admiral', name: 'Grace Hopper' })).toBe('name');
    expect(builtFrom('hopper!!hopper!!', { username: 'admiral', name: 'Grace Hopper' })).toBe('name');
    expect(builtFrom('admiral1234', { username: 'admiral', name: 'Grace Hopper' })).toBe('username');
  });

  it.each([
    'ada wrote notes on the analytical engine',
    'my username is ada_lovelace and I like long walks',
    'lovelace, tea, ravens and a broken umbrella',
    'adaptable canada lemonade',
    'correct horse battery',
    'a cookie jar full of auth tokens',
  ])('accepts %p: the name, if there, is among much else', (password) => expect(builtFrom(password, ada)).toBeNull());

  it('ignores words shorter than 3 characters and a missing display name', () => {
    expect(builtFrom('jo jo jo jo jo', { username: 'jo.x', name: 'Jo' })).toBeNull();
    expect(builtFrom('sunflower seeds', { username: 'sunny' })).toBeNull();
  });
});

describe('PasswordPolicy.check', () => {
  const policy = new PasswordPolicy({ passwords: { pwnedTimeoutMs: 1500 } } as unknown as AppConfig);

  async function refusal(password: string, owner = ada): Promise<string> {
    const error = await policy.check(password, owner).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as BadRequestException).message;
  }

  it('refuses with a 400 that names the rule and never the password', async () => {
    const common = await refusal('Password1');
    expect(common).toMatch(/list of commonly used passwords/);
    expect(common).not.toContain('Password1');
    const username = await refusal('ada_lovelace1985');
    expect(username).toMatch(/built from your username/);
    expect(username).not.toMatch(/ada|1985/i);
    expect(await refusal('Byron-King!!!', { username: 'countess', name: 'Ada Byron-King' })).toMatch(/built from your display name/);
    expect(await refusal('nestcookieauth!')).toMatch(/built from the service's name/);
  });

  it('accepts an unknown password without PWNED_PASSWORDS_URL (no request is made)', async () => {
    await expect(policy.check('correct horse battery', ada)).resolves.toBeUndefined();
  });
});
