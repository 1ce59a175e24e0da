import { Injectable, UnauthorizedException } from '@nestjs/common';
import { ClientInfo } from '../common/client';
import { securityEvent } from '../common/security-events';
import { IssuedSession, SESSION_ENDED, SessionsService } from '../sessions/sessions.service';
import { User } from '../users/user';
import { UsersService } from '../users/users.service';
import { AuthCookieValue } from './cookies/auth-cookie';
import { LoginDto } from './dto/login.dto';
import { SignupDto } from './dto/signup.dto';
import { Principal, RefreshPrincipal } from './principal';
import { USERNAME_PATTERN, normalizeUsername } from '../users/username';
import { AccessTokens } from './tokens/access-tokens';
import { Authenticator, unauthorized } from './authenticator';
import { Attempt } from '../users/recent-auth';

/** What a started or rotated session gives the caller to put in the cookie. */
export interface SignedIn {
  user: User;
  cookie: AuthCookieValue;
  /** When the refresh token expires: the cookie's lifetime. */
  expiresAt: Date;
}

export type Reauthenticated = { signedIn: SignedIn } | { accessOnly: { user: User; token: string; expiresAt: Date } };

export type Resumed = { principal: Principal; refreshed?: SignedIn } | 'refresh-needed' | null;

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokens,
    private readonly authenticator: Authenticator,
  ) {}

  /** A new account (the password policy applies); its session is started by SignIn. */
  createAccount(input: SignupDto): Promise<User> {
    return this.users.create(input);
  }

  /**
   * The user whose password this is. Unknown user, wrong password and locked account answer
   * alike. `deviceToken` is the browser's device cookie, if any: a valid one for this username is
   * counted apart from the username.
   */
  async checkPassword(input: LoginDto, client: ClientInfo, deviceToken: string | null): Promise<User> {
    const username = normalizeUsername(input.username);
    const { user, ...failure } = await this.users.authenticate(username, input.password, { deviceToken, client });
    if (!user) {
      securityEvent('login_failed', { username: loggableUsername(username), ...failure, client });
      throw new UnauthorizedException('Invalid credentials');
    }
    return user;
  }

  /** A new session for a user whose sign-in is complete (SignIn), its password proved now (auth_time). */
  async startSession(user: User, method: string, client: ClientInfo): Promise<SignedIn> {
    const issued = await this.sessions.start(user.id, client);
    securityEvent(method === 'signup' ? 'signup' : 'login', { userId: user.id, sessionId: issued.session.id, method, client });
    return this.signIn(user, issued, secondsOf(new Date()));
  }

  /** Rotation (SessionsService.rotate); the new access token keeps the session's auth_time. */
  async refresh(caller: RefreshPrincipal, client: ClientInfo): Promise<SignedIn> {
    const issued = await this.sessions.rotate(caller.record, caller.refreshToken, client);
    const user = await this.users.findById(issued.session.userId);
    if (!user) throw new UnauthorizedException(SESSION_ENDED);
    securityEvent('refresh', { userId: user.id, sessionId: issued.session.id, client });
    return this.signIn(user, issued, caller.authTime);
  }

  /**
   * Proves the password again for the caller's session (sudo mode): a new access token with
   * auth_time now. When the cookie brings the refresh token (single layout) the session rotates
   * as on a refresh, so a refresh racing this request ends on the same successor (the grace
   * window) rather than one answer putting a retired token back in the jar. The split layout
   * keeps the refresh cookie off this route: only the access token is new (`accessOnly`).
   */
  async reauth(caller: Principal, password: string, attempt: Attempt, cookie: AuthCookieValue | null): Promise<Reauthenticated> {
    const user = await this.users.provePassword(caller, password, attempt);
    const authTime = secondsOf(new Date());
    const proved = () => securityEvent('reauth', { userId: user.id, sessionId: caller.sessionId, client: attempt.client });
    if (cookie) {
      const refresh = await this.authenticator.refresh(cookie);
      if ('refused' in refresh || refresh.caller.sessionId !== caller.sessionId) throw unauthorized('refused' in refresh ? refresh.refused : 'ended');
      const issued = await this.sessions.rotate(refresh.caller.record, cookie.refreshToken, attempt.client);
      proved();
      return { signedIn: this.signIn(user, issued, authTime) };
    }
    const session = await this.sessions.findLive(caller.sessionId, caller.userId);
    if (!session) throw new UnauthorizedException(SESSION_ENDED);
    proved();
    return { accessOnly: { user, token: this.accessTokens.sign({ sub: user.id, sid: session.id, authTime }), expiresAt: session.expiresAt } };
  }

  /**
   * For callers that hold the cookie itself rather than a passport principal (server-rendered
   * pages): the access rules, else the refresh rules and a rotation in the same request, all
   * decided by the Authenticator. `refreshed` is set when the cookie must be replaced. Without a
   * refresh token (the split layout keeps it from pages) an access token that needs refreshing
   * answers 'refresh-needed'. Null when nothing works.
   */
  async resume(cookie: { token: string; refreshToken?: string }, client: ClientInfo): Promise<Resumed> {
    const access = await this.authenticator.access(cookie.token);
    if ('caller' in access) return { principal: access.caller };
    if (access.refused !== 'expired') return null;
    if (cookie.refreshToken === undefined) return 'refresh-needed';
    const refresh = await this.authenticator.refresh({ token: cookie.token, refreshToken: cookie.refreshToken });
    if ('refused' in refresh) return null;
    try {
      const refreshed = await this.refresh(refresh.caller, client);
      const { userId, sessionId, authTime } = refresh.caller;
      return { principal: { userId, sessionId, authTime }, refreshed };
    } catch (error) {
      if (error instanceof UnauthorizedException) return null;
      throw error;
    }
  }

  /** Ends the session the access token names, if it is genuinely ours (expired or under a retired key is fine). */
  async logout(accessToken: string | null, client: ClientInfo): Promise<void> {
    const claims = accessToken && this.authenticator.sessionNamedBy(accessToken);
    if (!claims) return;
    await this.sessions.revoke(claims.sub, claims.sid);
    securityEvent('logout', { userId: claims.sub, sessionId: claims.sid, client });
  }

  async logoutAll(caller: Principal, client: ClientInfo): Promise<void> {
    const sessions = await this.users.endSessions(caller.userId);
    securityEvent('logout_all', { userId: caller.userId, sessionId: caller.sessionId, sessions, client });
  }

  private signIn(user: User, { session, refreshToken }: IssuedSession, authTime: number | null): SignedIn {
    const token = this.accessTokens.sign({ sub: user.id, sid: session.id, authTime });
    return { user, cookie: { token, refreshToken }, expiresAt: session.expiresAt };
  }
}

/**
 * What was typed as a username, for the log, when it could be one. Anything else names no
 * account and is often a password typed into the wrong field: it is never written.
 */
function loggableUsername(username: string): string {
  return USERNAME_PATTERN.test(username) ? username : '(not a valid username)';
}

/** A JWT's time: whole seconds since the epoch. */
function secondsOf(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
