import { NewUser, User } from './user';

export interface UserPage {
  items: User[];
  total: number;
}

/** Port: where users live. Adapters in storage/ implement it. */
export abstract class UsersRepository {
  /** Throws DuplicateKeyError('username') when the name is taken. A given address starts unverified. */
  abstract create(user: NewUser): Promise<User>;
  abstract findById(id: string): Promise<User | null>;
  abstract findByUsername(username: string): Promise<User | null>;
  /** The user whose *verified* address this is, in any case (unverified addresses are found by nobody). */
  abstract findByVerifiedEmail(email: string): Promise<User | null>;
  /** Oldest first, so pages are stable while users sign up. */
  abstract list(page: { offset: number; limit: number }): Promise<UserPage>;
  abstract update(id: string, changes: { name?: string; passwordHash?: string; updatedAt: Date }): Promise<User | null>;
  /** Sets a new, unverified address (the old one, verified or not, is let go). Null for an unknown id. */
  abstract changeEmail(id: string, email: string, updatedAt: Date): Promise<User | null>;
  /**
   * Marks `email` verified, only while it is still the user's address (null otherwise: changed
   * since, or no such user). Throws DuplicateKeyError('email') when another account holds it verified.
   */
  abstract markEmailVerified(id: string, email: string, updatedAt: Date): Promise<User | null>;
  abstract delete(id: string): Promise<boolean>;
}
