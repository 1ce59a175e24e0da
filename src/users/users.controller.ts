import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse } from '../http/http';
import { AuthCookie } from '../auth/cookies/auth-cookie';
import { DeviceCookie } from '../auth/cookies/device-cookie';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Principal } from '../auth/principal';
import { clientOf } from '../common/client';
import { uuidParam } from '../common/uuid-param';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { DeleteUserDto } from './dto/delete-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { toOwnUser, toPublicUser } from './user';
import { UsersDocs } from './users.api-docs';
import { UsersService } from './users.service';
import { Attempt } from './recent-auth';

const userId = () => uuidParam('No such user');

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly cookie: AuthCookie,
    private readonly device: DeviceCookie,
  ) {}

  @UsersDocs.list()
  @Get()
  list(@Query() query: ListUsersQuery) {
    return this.users.list(query.page, query.limit);
  }

  @UsersDocs.get()
  @Get(':id')
  async get(@Param('id', userId()) id: string) {
    return toPublicUser(await this.users.get(id));
  }

  /** Rate-limited like login: it may carry the current password, which is a password check. */
  @UsersDocs.update()
  @RateLimited('credentials') @Patch(':id')
  async update(@CurrentUser() caller: Principal, @Param('id', userId()) id: string, @Body() body: UpdateUserDto, @Req() req: HttpRequest) {
    return toOwnUser(await this.users.update(caller, id, body, this.attempt(req)));
  }

  /** Rate-limited like login for the same reason; a body is optional (the current password). */
  @UsersDocs.delete()
  @RateLimited('credentials') @Delete(':id') @HttpCode(204)
  async delete(
    @CurrentUser() caller: Principal,
    @Param('id', userId()) id: string,
    @Body() body: DeleteUserDto,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    await this.users.delete(caller, id, body.currentPassword, this.attempt(req));
    this.cookie.clear(res);
  }

  private attempt(req: HttpRequest): Attempt {
    return { deviceToken: this.device.read(req), client: clientOf(req) };
  }
}
