import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal } from '../auth/principal';
import { ClientInfo } from '../common/client';
import { securityEvent } from '../common/security-events';
import { SessionsService } from '../sessions/sessions.service';
import { DuplicateKeyError } from '../storage/storage.errors';
import { UpdateUserDto } from './dto/update-user.dto';
import { Passwords } from './passwords';
import { PublicUser, User, toPublicUser } from './user';
import { normalizeUsername } from './username';
import { UsersRepository } from './users.repository';

export interface PublicUserPage {
  items: PublicUser[];
  total: number;
  page: number;
  limit: number;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: Passwords,
    private readonly sessions: SessionsService,
  ) {}

  async create(input: { username: string; password: string; name?: string }): Promise<User> {
    const username = normalizeUsername(input.username);
    const passwordHash = await this.passwords.hash(input.password);
    try {
      return await this.users.create({ id: randomUUID(), username, name: input.name ?? username, passwordHash, createdAt: new Date() });
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new ConflictException('That username is taken');
      throw error;
    }
  }

  /**
   * The user whose password this is, or null; the same bcrypt work either way. `refuse`
   * still does that work but answers null: a locked account looks like a wrong password.
   */
  async authenticate(username: string, password: string, refuse = false): Promise<User | null> {
    const user = await this.users.findByUsername(username);
    const matches = await this.passwords.verify(password, user?.passwordHash);
    return matches && !refuse ? user : null;
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  async get(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundException('No such user');
    return user;
  }

  async list(page: number, limit: number): Promise<PublicUserPage> {
    const { items, total } = await this.users.list({ offset: (page - 1) * limit, limit });
    return { items: items.map(toPublicUser), total, page, limit };
  }

  /** Name or password of one's own account; a new password ends every other session. */
  async update(caller: Principal, id: string, changes: UpdateUserDto, client: ClientInfo): Promise<User> {
    const user = await this.own(caller, id);
    if (changes.name === undefined && changes.password === undefined) {
      throw new BadRequestException('Nothing to change: send name and/or password');
    }
    let passwordHash: string | undefined;
    if (changes.password !== undefined) {
      if (changes.currentPassword === undefined) {
        throw new BadRequestException('currentPassword is required to set a new password');
      }
      if (!(await this.passwords.verify(changes.currentPassword, user.passwordHash))) {
        throw new ForbiddenException('currentPassword is not correct');
      }
      passwordHash = await this.passwords.hash(changes.password);
    }
    const updated = await this.users.update(id, { name: changes.name, passwordHash, updatedAt: new Date() });
    if (!updated) throw new NotFoundException('No such user');
    if (passwordHash) {
      const revokedSessions = await this.sessions.revokeAll(id, caller.sessionId);
      securityEvent('password_changed', { userId: id, sessionId: caller.sessionId, revokedSessions, client });
    }
    return updated;
  }

  async delete(caller: Principal, id: string, client: ClientInfo): Promise<void> {
    await this.own(caller, id);
    await this.sessions.revokeAll(id);
    await this.users.delete(id);
    securityEvent('account_deleted', { userId: id, sessionId: caller.sessionId, client });
  }

  private async own(caller: Principal, id: string): Promise<User> {
    if (caller.userId !== id) throw new ForbiddenException('You can only change your own account');
    return this.get(id);
  }
}
