import { RefreshRecord } from '../sessions/session';

/** Who is calling, as the Authenticator established it: the user and the live session. */
export interface Principal {
  userId: string;
  sessionId: string;
  /** When the password was last proved in this session (`auth_time`, seconds); null: unknown, never recent. */
  authTime: number | null;
}

/** What the refresh strategy establishes: the record of the presented token, and the token. */
export interface RefreshPrincipal extends Principal {
  record: RefreshRecord;
  refreshToken: string;
}
