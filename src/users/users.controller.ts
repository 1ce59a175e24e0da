import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuthCookie } from '../auth/cookies/auth-cookie';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Principal } from '../auth/principal';
import { uuidParam } from '../common/uuid-param';
import { ListUsersQuery, UpdateUserDto } from './dto/update-user.dto';
import { toPublicUser } from './user';
import { UsersService } from './users.service';

const userId = () => uuidParam('No such user');

@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly cookie: AuthCookie,
  ) {}

  @Get()
  list(@Query() query: ListUsersQuery) {
    return this.users.list(query.page, query.limit);
  }

  @Get(':id')
  async get(@Param('id', userId()) id: string) {
    return toPublicUser(await this.users.get(id));
  }

  @Patch(':id')
  async update(@CurrentUser() caller: Principal, @Param('id', userId()) id: string, @Body() body: UpdateUserDto) {
    return toPublicUser(await this.users.update(caller, id, body));
  }

  @Delete(':id') @HttpCode(204)
  async delete(@CurrentUser() caller: Principal, @Param('id', userId()) id: string, @Res({ passthrough: true }) res: Response) {
    await this.users.delete(caller, id);
    this.cookie.clear(res);
  }
}
