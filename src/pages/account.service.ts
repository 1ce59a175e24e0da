import { Injectable } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { ClientInfo } from '../common/client';
import { SecondFactors } from '../mfa/second-factors.service';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { AccountView } from './views';

/** What the account page shows and changes: the signed-in user, their sign-in methods and live sessions. */
@Injectable()
export class AccountService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly secondFactors: SecondFactors,
  ) {}

  async view(caller: Principal): Promise<AccountView> {
    const [user, sessions, mfa, rememberedDevices] = await Promise.all([
      this.users.get(caller.userId),
      this.sessions.listLive(caller.userId),
      this.secondFactors.status(caller.userId),
      this.secondFactors.rememberedDevices(caller.userId),
    ]);
    return { user, sessions, currentSessionId: caller.sessionId, mfa, rememberedDevices };
  }

  /** Someone else's session is a 404, as in the API. Says whether it was the caller's own. */
  async revokeSession(caller: Principal, sessionId: string, client: ClientInfo): Promise<{ ownSession: boolean }> {
    await this.sessions.revokeOwn(caller.userId, sessionId, client);
    return { ownSession: sessionId === caller.sessionId };
  }
}
