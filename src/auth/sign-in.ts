import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import { clientOf } from '../common/client';
import { securityEvent } from '../common/security-events';
import type { HttpRequest, HttpResponse } from '../http/http';
import { SecondFactors, SecondStepMethod, SecondStepProof, SecondStepRefused } from '../mfa/second-factors.service';
import { User } from '../users/user';
import { AuthService } from './auth.service';
import { AuthCookie } from './cookies/auth-cookie';
import { DeviceCookie } from './cookies/device-cookie';
import { PendingSignInCookie } from './cookies/pending-sign-in-cookie';
import { LoginDto } from './dto/login.dto';
import { SecondStepDto } from './dto/second-step.dto';
import { SignupDto } from './dto/signup.dto';

/** What proved who the user is: the first proof, and the second step after a password (or a browser remembered for it). */
type Proof = 'password' | 'signup' | `password+${SecondStepMethod | 'remembered-device'}`;

/** A sign-in either complete (a session and its cookie) or waiting for a second step (a pending cookie only). */
export type SignInResult = { user: User } | { mfaRequired: true; methods: SecondStepMethod[] };

/**
 * The one way into a session, for the API and the pages alike. Each way in proves who the user
 * is (a password, a new account, a password and then a second step) and ends in `complete`,
 * which decides whether the proofs are enough for this account: if so it starts the session,
 * writes the session cookie, remembers the browser as the user's device and logs the sign-in;
 * if the account has a second factor and only the password was proved, it starts a pending
 * sign-in instead (a short-lived cookie that opens nothing) and names the second steps.
 */
@Injectable()
export class SignIn {
  constructor(
    private readonly auth: AuthService,
    private readonly secondFactors: SecondFactors,
    private readonly cookie: AuthCookie,
    private readonly device: DeviceCookie,
    private readonly pending: PendingSignInCookie,
  ) {}

  /** POST /auth/login and the login form. */
  async withPassword(body: LoginDto, req: HttpRequest, res: HttpResponse): Promise<SignInResult> {
    const user = await this.auth.checkPassword(body, clientOf(req), this.device.read(req));
    return this.complete(user, 'password', req, res);
  }

  /** POST /auth/signup and the signup form: the new account's password was just set, so it is proved. */
  async signup(body: SignupDto, req: HttpRequest, res: HttpResponse): Promise<User> {
    const user = await this.auth.createAccount(body);
    return this.completed(await this.complete(user, 'signup', req, res));
  }

  /**
   * POST /auth/login/mfa and the second-step form: the pending cookie and a code. A refusal is a
   * 401 (429 while the account is locked); the pending cookie is cleared once its sign-in is over.
   */
  async withSecondStep(proof: SecondStepProof, req: HttpRequest, res: HttpResponse, rememberDevice = false): Promise<User> {
    const deviceToken = this.device.read(req);
    const attempt = { client: clientOf(req), deviceIdFor: (username: string) => this.device.deviceId(deviceToken, username) };
    let done: Awaited<ReturnType<SecondFactors['completeSecondStep']>>;
    try {
      done = await this.secondFactors.completeSecondStep(this.pending.read(req), proof, attempt);
    } catch (error) {
      if (!(error instanceof SecondStepRefused)) throw error;
      if (error.ended) this.pending.clear(res);
      throw new UnauthorizedException(error.message);
    }
    this.pending.clear(res);
    return this.completed(await this.complete(done.user, `password+${done.method}`, req, res, rememberDevice));
  }

  private async complete(user: User, proof: Proof, req: HttpRequest, res: HttpResponse, rememberDevice = false): Promise<SignInResult> {
    const client = clientOf(req);
    if (proof === 'password') {
      const methods = await this.secondFactors.secondStepFor(user.id);
      if (methods) {
        const deviceId = this.device.deviceId(this.device.read(req), user.username);
        if (!(await this.secondFactors.remembers(user.id, deviceId))) {
          const { token, expiresAt } = await this.secondFactors.startPending(user.id);
          this.pending.set(res, token, expiresAt);
          securityEvent('mfa_required', { userId: user.id, methods, client });
          return { mfaRequired: true, methods };
        }
        proof = 'password+remembered-device';
      }
    }
    const { cookie, expiresAt } = await this.auth.startSession(user, proof, client);
    this.cookie.set(res, cookie, expiresAt);
    const deviceId = this.device.remember(req, res, user.username);
    if (rememberDevice) await this.secondFactors.rememberDevice(user.id, deviceId);
    return { user };
  }

  private completed(result: SignInResult): User {
    if (!('user' in result)) throw new Error('a sign-in past its last step must be complete');
    return result.user;
  }
}

/** The second step's body as a proof: exactly one of the two, since both or neither says nothing a person meant. */
export function secondStepProof({ code, recoveryCode }: Pick<SecondStepDto, 'code' | 'recoveryCode'>): SecondStepProof {
  if ((code === undefined) === (recoveryCode === undefined)) throw new BadRequestException('Send either code or recoveryCode (one of them)');
  return code !== undefined ? { code } : { recoveryCode: recoveryCode! };
}
