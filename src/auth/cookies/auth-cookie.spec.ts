import { parseAuthCookie } from './auth-cookie';

const token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiJhIiwic3ViIjoiYiJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl';
const refreshToken = 'A'.repeat(43);

describe('parseAuthCookie', () => {
  it('accepts exactly two strings of the expected shapes', () => {
    expect(parseAuthCookie({ token, refreshToken })).toEqual({ token, refreshToken });
  });

  it('drops extra fields', () => {
    expect(parseAuthCookie({ token, refreshToken, admin: true })).toEqual({ token, refreshToken });
  });

  it.each([
    ['a missing cookie', undefined],
    ['a plain string (not j: JSON)', 'garbage'],
    ['null', null],
    ['an array', [token, refreshToken]],
    ['an operator object as token', { token: { $ne: null }, refreshToken }],
    ['an operator object as refresh token', { token, refreshToken: { $gt: '' } }],
    ['a number', { token: 1, refreshToken }],
    ['a missing refresh token', { token }],
    ['a token that is not a JWT', { token: 'not.a-jwt', refreshToken }],
    ['a refresh token of the wrong length', { token, refreshToken: 'A'.repeat(42) }],
    ['a refresh token with other characters', { token, refreshToken: `${'A'.repeat(42)}$` }],
    ['an oversized token', { token: `${token}${'a'.repeat(2000)}`, refreshToken }],
  ])('refuses %s', (_label, value) => {
    expect(parseAuthCookie(value)).toBeNull();
  });
});
