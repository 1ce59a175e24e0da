import type { Response } from 'supertest';

/** The device cookie's name: `__Host-device` where cookies are Secure (the split layout), else `device`. */
export const DEVICE_COOKIE_NAMES = ['device', '__Host-device'];

/** `name=value` of the device cookie a response set, ready for a Cookie header. */
export function deviceCookieOf(res: Response): string {
  const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const line = lines.find((l) => DEVICE_COOKIE_NAMES.some((name) => l.startsWith(`${name}=`)));
  if (!line) throw new Error(`no device cookie in response ${res.status}`);
  return line.split(';')[0];
}

/** The same cookie with its value replaced (forged, garbled, truncated). */
export function withValue(deviceCookie: string, value: string): string {
  return `${deviceCookie.slice(0, deviceCookie.indexOf('='))}=${value}`;
}
