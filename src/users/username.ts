/** Usernames are compared case-insensitively: stored and looked up in this form. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
