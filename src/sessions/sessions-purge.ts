import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SessionsRepository } from './sessions.repository';

const PURGE_INTERVAL_MS = 60_000;

/** Deletes expired sessions and refresh records once a minute (a no-op where the store has TTL indexes). */
@Injectable()
export class SessionsPurge implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionsPurge');
  private timer?: NodeJS.Timeout;

  constructor(private readonly repository: SessionsRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.repository.purgeExpired(new Date()).catch((error: Error) => this.logger.warn(`purge skipped: ${error.name}`));
    }, PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
