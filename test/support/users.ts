import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { TestApp } from './app';
import { AuthCookieValue, authCookieOf, cookieHeader } from './cookies';

export const PASSWORD = 'correct horse battery';

export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}

export interface SignedUp {
  id: string;
  username: string;
  cookie: AuthCookieValue;
  res: Response;
}

export async function signup(app: TestApp, username = uniqueName(), password = PASSWORD): Promise<SignedUp> {
  const res = await app.http().post('/auth/signup').send({ username, password });
  if (res.status !== 201) throw new Error(`signup ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id as string, username, cookie: authCookieOf(res), res };
}

export async function login(app: TestApp, username: string, password = PASSWORD, userAgent = 'jest'): Promise<AuthCookieValue> {
  const res = await app.http().post('/auth/login').set('User-Agent', userAgent).send({ username, password });
  if (res.status !== 200) throw new Error(`login ${res.status} ${JSON.stringify(res.body)}`);
  return authCookieOf(res);
}

export function asCookie(value: AuthCookieValue): [string, string] {
  return ['Cookie', cookieHeader(value)];
}
