import { Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import dayjs from 'dayjs';
import { randomUUID } from 'node:crypto';
import { hashRefreshToken, mintRefreshToken, successorOf } from '../auth/tokens/refresh-tokens';
import { ClientInfo } from '../common/client';
import { securityEvent } from '../common/security-events';
import { AppConfig } from '../config/app-config';
import { LiveSessions } from './live-sessions';
import { RefreshRecord, Session } from './session';
import { SessionsRepository } from './sessions.repository';

export interface IssuedSession {
  session: Session;
  /** Given to the client once, in the cookie; the store keeps only its hash. */
  refreshToken: string;
}

export const SESSION_ENDED = 'Your session has ended; sign in again';

/** Session lifetimes, rotation, the grace window and theft detection: decided here and nowhere else. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly repository: SessionsRepository,
    private readonly config: AppConfig,
    private readonly live: LiveSessions,
  ) {}

  /** Starts a session for a fresh login; evicts the user's oldest sessions past the limit. */
  async start(userId: string, client: ClientInfo, now = new Date()): Promise<IssuedSession> {
    const { refreshTtlSeconds, maxAgeSeconds, maxPerUser } = this.config.sessions;
    const refreshToken = mintRefreshToken();
    const absoluteExpiresAt = addSeconds(now, maxAgeSeconds);
    const session: Session = {
      id: randomUUID(),
      userId,
      currentTokenHash: hashRefreshToken(refreshToken),
      previousTokenHash: null,
      rotatedAt: null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: earliest(addSeconds(now, refreshTtlSeconds), absoluteExpiresAt),
      absoluteExpiresAt,
      userAgent: client.userAgent,
      ip: client.ip,
    };
    await this.repository.create(session);
    const evicted = await this.repository.evictOldest(userId, maxPerUser, now);
    for (const sessionId of evicted) {
      this.live.forget(sessionId);
      securityEvent('session_evicted', { userId, sessionId, client });
    }
    return { session, refreshToken };
  }

  /** Whether the session exists for that user and has not expired: the access path's question. */
  async isLive(sessionId: string, userId: string, now = new Date()): Promise<boolean> {
    if (this.live.enabled && this.live.ownerOf(sessionId, now.getTime()) === userId) return true;
    const session = await this.findLive(sessionId, userId, now);
    if (!session) return false;
    this.live.remember(session, now.getTime());
    return true;
  }

  /**
   * The refresh record, not the JWT, says whose token this is; the JWT's claims must agree.
   * Returns null for unknown or expired tokens and for a token presented with another session's JWT.
   */
  async identifyRefresh(refreshToken: string, claims: { sub: string; sid: string }, now = new Date()): Promise<RefreshRecord | null> {
    const record = await this.repository.findRefreshRecord(hashRefreshToken(refreshToken));
    if (!record || record.expiresAt <= now) return null;
    return record.sessionId === claims.sid && record.userId === claims.sub ? record : null;
  }

  /**
   * Rotates the session that `record` belongs to. The current token rotates by one atomic
   * compare-and-set; the immediately previous one, inside the grace window, gets the same
   * successor again (tabs refreshing at once); any other retired token is theft.
   */
  async rotate(record: RefreshRecord, refreshToken: string, client: ClientInfo, now = new Date()): Promise<IssuedSession> {
    let session = await this.repository.findLive(record.sessionId, now);
    if (!session) throw new UnauthorizedException(SESSION_ENDED);

    const successor = successorOf(refreshToken, this.config.tokens.refreshKey);
    const successorHash = hashRefreshToken(successor);
    if (session.currentTokenHash === record.tokenHash) {
      const expiresAt = earliest(addSeconds(now, this.config.sessions.refreshTtlSeconds), session.absoluteExpiresAt);
      // An interruption before the compare-and-set leaves the session on the old token, which
      // the client still holds: never half-rotated (see SessionsRepository.rotate).
      const won = await this.repository.rotate({
        sessionId: session.id,
        userId: session.userId,
        fromHash: record.tokenHash,
        toHash: successorHash,
        at: now,
        expiresAt,
      });
      if (won) {
        return {
          session: { ...session, previousTokenHash: record.tokenHash, currentTokenHash: successorHash, rotatedAt: now, lastUsedAt: now, expiresAt },
          refreshToken: successor,
        };
      }
      session = await this.repository.findLive(record.sessionId, now); // a concurrent request rotated first
      if (!session) throw new UnauthorizedException(SESSION_ENDED);
    }

    if (this.withinGrace(session, record.tokenHash, now) && session.currentTokenHash === successorHash) {
      return { session, refreshToken: successor };
    }

    await this.repository.revoke(session.userId, session.id);
    this.live.forget(session.id);
    securityEvent('refresh_token_reuse', { userId: session.userId, sessionId: session.id, client }, 'warn');
    throw new UnauthorizedException('This refresh token was already used; the session has been revoked for safety. Sign in again.');
  }

  /** The user's session, if it is still live. */
  async findLive(sessionId: string, userId: string, now = new Date()): Promise<Session | null> {
    const session = await this.repository.findLive(sessionId, now);
    return session?.userId === userId ? session : null;
  }

  listLive(userId: string, now = new Date()): Promise<Session[]> {
    return this.repository.listLive(userId, now);
  }

  /** Ends the session if it is the user's; says whether it was there. */
  async revoke(userId: string, sessionId: string): Promise<boolean> {
    this.live.forget(sessionId);
    return this.repository.revoke(userId, sessionId);
  }

  /**
   * A user ending one of their own sessions from the list (API or account page): someone
   * else's is indistinguishable from a missing one.
   */
  async revokeOwn(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    if (!(await this.revoke(userId, sessionId))) throw new NotFoundException('No such session');
    securityEvent('session_revoked', { userId, sessionId, client });
  }

  /** Ends every session of the user but `keepSessionId`; says how many. */
  async revokeAll(userId: string, keepSessionId?: string): Promise<number> {
    this.live.forgetUser(userId);
    return this.repository.revokeAll(userId, keepSessionId);
  }

  private withinGrace(session: Session, tokenHash: string, now: Date): boolean {
    return (
      session.previousTokenHash === tokenHash &&
      session.rotatedAt !== null &&
      now.getTime() - session.rotatedAt.getTime() < this.config.sessions.reuseGraceSeconds * 1000
    );
  }
}

function addSeconds(date: Date, seconds: number): Date {
  return dayjs(date).add(seconds, 'second').toDate();
}

function earliest(a: Date, b: Date): Date {
  return a <= b ? a : b;
}
