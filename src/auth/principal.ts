import { RefreshRecord } from '../sessions/session';

/** Who is calling, as the access strategy established it: the user and the live session. */
export interface Principal {
  userId: string;
  sessionId: string;
}

/** What the refresh strategy establishes: the record of the presented token, and the token. */
export interface RefreshPrincipal extends Principal {
  record: RefreshRecord;
  refreshToken: string;
}
