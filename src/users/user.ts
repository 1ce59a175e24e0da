import { emailKey } from './email';

export interface User {
  id: string;
  /** Login name, normalised to lower case; unique. */
  username: string;
  /** Display name. */
  name: string;
  passwordHash: string;
  /**
   * The address the user gave, as typed (trimmed), or null. Unique case-insensitively once
   * verified: the store keeps a lower-cased copy of verified addresses only, under a unique index.
   */
  email: string | null;
  emailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Whether `email` is the user's verified address now (case-insensitively, as the store compares addresses). */
export function isVerifiedAddressOf(user: User, email: string): boolean {
  return user.emailVerified && user.email !== null && emailKey(user.email) === emailKey(email);
}

export type NewUser = Pick<User, 'id' | 'username' | 'name' | 'passwordHash' | 'createdAt'> & { email?: string | null };

/** What any caller may see of a user: never the hash, never the address. */
export interface PublicUser {
  id: string;
  username: string;
  name: string;
  createdAt: string;
}

/** What the user sees of their own account (GET /auth/me, signup, login, PATCH): adds the address. */
export interface OwnUser extends PublicUser {
  email: string | null;
  emailVerified: boolean;
}

export function toPublicUser(user: User): PublicUser {
  return { id: user.id, username: user.username, name: user.name, createdAt: user.createdAt.toISOString() };
}

export function toOwnUser(user: User): OwnUser {
  return { ...toPublicUser(user), email: user.email, emailVerified: user.emailVerified };
}
