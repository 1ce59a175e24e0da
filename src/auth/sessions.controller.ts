import { Controller, Delete, Get, HttpCode, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { HttpResponse } from '../http/http';
import { Client, ClientInfo } from '../common/client';
import { uuidParam } from '../common/uuid-param';
import { SessionsService } from '../sessions/sessions.service';
import { AuthCookie } from './cookies/auth-cookie';
import { CurrentUser } from './decorators/current-user.decorator';
import { Principal } from './principal';
import { SessionsDocs } from './sessions.api-docs';

@ApiTags('sessions')
@Controller('auth/sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly cookie: AuthCookie,
  ) {}

  @SessionsDocs.list()
  @Get()
  async list(@CurrentUser() caller: Principal) {
    const sessions = await this.sessions.listLive(caller.userId);
    return sessions.map((session) => ({
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === caller.sessionId,
    }));
  }

  /** Revoking the session this request came from also clears its cookie. */
  @SessionsDocs.revoke()
  @Delete(':id') @HttpCode(204)
  async revoke(
    @CurrentUser() caller: Principal,
    @Param('id', uuidParam('No such session')) id: string,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<void> {
    await this.sessions.revokeOwn(caller.userId, id, client);
    if (id === caller.sessionId) this.cookie.clear(res);
  }
}
