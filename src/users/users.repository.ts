import { NewUser, User } from './user';

export interface UserPage {
  items: User[];
  total: number;
}

/** Port: where users live. Adapters in storage/ implement it. */
export abstract class UsersRepository {
  /** Throws DuplicateKeyError('username') when the name is taken. */
  abstract create(user: NewUser): Promise<User>;
  abstract findById(id: string): Promise<User | null>;
  abstract findByUsername(username: string): Promise<User | null>;
  /** Oldest first, so pages are stable while users sign up. */
  abstract list(page: { offset: number; limit: number }): Promise<UserPage>;
  abstract update(id: string, changes: { name?: string; passwordHash?: string; updatedAt: Date }): Promise<User | null>;
  abstract delete(id: string): Promise<boolean>;
}
