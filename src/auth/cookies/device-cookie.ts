import { Injectable } from '@nestjs/common';
import { KeyObject, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { CookieOptions, HttpRequest, HttpResponse, cookiesOf, setCookie } from '../../http/http';

/** A device cookie outlives sessions: it stands for "this browser has signed in as this user before". */
const DEVICE_COOKIE_MAX_AGE_MS = 365 * 24 * 3600 * 1000;
const DEVICE_TOKEN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

/**
 * OWASP's device cookie: after a successful sign-in the browser gets `<device id>.<HMAC of
 * username and device id>`, HttpOnly, SameSite=Strict. A later password check that presents a
 * valid one for the same username is counted on that device alone (LoginLockout), so an
 * attacker who locks the username out does not lock out its owner. The username is inside the
 * MAC, not in the cookie: a cookie for another user, a forged or a garbled one is simply no
 * device cookie. Named `__Host-device` wherever cookies are Secure.
 */
@Injectable()
export class DeviceCookie {
  private readonly name: string;
  private readonly options: CookieOptions;
  private readonly key: KeyObject;

  constructor(config: AppConfig) {
    const { secure } = config.cookie;
    this.name = secure ? '__Host-device' : 'device';
    this.options = { httpOnly: true, sameSite: 'strict', secure, path: '/' };
    this.key = config.deviceCookie.key;
  }

  /** The raw value the browser sent, if any (unverified: `deviceId` checks it). */
  read(req: HttpRequest): string | null {
    const value = cookiesOf(req)?.[this.name];
    return typeof value === 'string' ? value : null;
  }

  /** The device id when `token` is a genuine device cookie for `username`, else null. */
  deviceId(token: string | null, username: string): string | null {
    if (token === null || !DEVICE_TOKEN.test(token)) return null;
    const [id, mac] = token.split('.');
    const expected = this.mac(username, id);
    return timingSafeEqual(Buffer.from(mac), Buffer.from(expected)) ? id : null;
  }

  /**
   * After a successful sign-in: a new device cookie unless the browser already has one for this
   * username. Returns the browser's device id, old or new.
   */
  remember(req: HttpRequest, res: HttpResponse, username: string): string {
    const known = this.deviceId(this.read(req), username);
    if (known) return known;
    const id = randomBytes(16).toString('base64url');
    setCookie(res, this.name, `${id}.${this.mac(username, id)}`, { ...this.options, maxAge: DEVICE_COOKIE_MAX_AGE_MS });
    return id;
  }

  private mac(username: string, id: string): string {
    return createHmac('sha256', this.key).update(`${username}\n${id}`).digest('base64url');
  }
}
