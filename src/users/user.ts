export interface User {
  id: string;
  /** Login name, normalised to lower case; unique. */
  username: string;
  /** Display name. */
  name: string;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewUser = Pick<User, 'id' | 'username' | 'name' | 'passwordHash' | 'createdAt'>;

/** What any caller may see of a user: never the hash. */
export interface PublicUser {
  id: string;
  username: string;
  name: string;
  createdAt: string;
}

export function toPublicUser(user: User): PublicUser {
  return { id: user.id, username: user.username, name: user.name, createdAt: user.createdAt.toISOString() };
}
