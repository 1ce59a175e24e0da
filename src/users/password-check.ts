import { Injectable } from '@nestjs/common';
import { DeviceCookie } from '../auth/cookies/device-cookie';
import { ClientInfo } from '../common/client';
import { CheckOutcome, LoginLockout } from '../throttling/login-lockout';
import { Passwords } from './passwords';

export interface PasswordAttempt {
  /** Normalised. */
  username: string;
  password: string;
  /** The account's hash; undefined for an unknown username (a decoy is checked instead). */
  hash: string | undefined;
  /** The raw device cookie the browser sent, if any. */
  deviceToken: string | null;
  client: ClientInfo;
}

export type PasswordCheckResult = CheckOutcome;

/**
 * Every check of a user's password (login, a currentPassword) goes through here, so each one is
 * counted the same way (LoginLockout.counted): the subject's slot is taken before bcrypt runs, a
 * locked subject costs no bcrypt work at all, and a right password gives its slot back (as does a
 * check refused for load: 503, which must not count as a failure of the owner's).
 */
@Injectable()
export class PasswordCheck {
  constructor(
    private readonly passwords: Passwords,
    private readonly lockout: LoginLockout,
    private readonly devices: DeviceCookie,
  ) {}

  async run({ username, password, hash, deviceToken, client }: PasswordAttempt): Promise<PasswordCheckResult> {
    const deviceId = this.devices.deviceId(deviceToken, username);
    return this.lockout.counted({ username, deviceId }, client, () => this.passwords.matches(password, hash));
  }
}
