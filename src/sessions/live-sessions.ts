import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Session } from './session';

/** Bound on cached answers; beyond it the oldest is dropped. */
const MAX_ENTRIES = 50_000;

/**
 * Optional in-process memory of "this session is live", for at most SESSION_CACHE_TTL and never
 * past the session's own expiry. Revocations made by this instance forget the entry at once;
 * one made by another instance is seen here within SESSION_CACHE_TTL. Default 0: no memory,
 * the store is asked on every request.
 */
@Injectable()
export class LiveSessions {
  private readonly entries = new Map<string, { userId: string; liveUntilMs: number }>();
  private readonly ttlMs: number;

  constructor(config: AppConfig) {
    this.ttlMs = config.sessions.livenessCacheSeconds * 1000;
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The owner of a session remembered as live at `nowMs`, or undefined. */
  ownerOf(sessionId: string, nowMs: number): string | undefined {
    const entry = this.entries.get(sessionId);
    if (entry && entry.liveUntilMs > nowMs) return entry.userId;
    if (entry) this.entries.delete(sessionId);
    return undefined;
  }

  remember(session: Session, nowMs: number): void {
    if (!this.enabled) return;
    const liveUntilMs = Math.min(nowMs + this.ttlMs, session.expiresAt.getTime(), session.absoluteExpiresAt.getTime());
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(session.id, { userId: session.userId, liveUntilMs });
  }

  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  forgetUser(userId: string): void {
    for (const [sessionId, entry] of this.entries) if (entry.userId === userId) this.entries.delete(sessionId);
  }
}
