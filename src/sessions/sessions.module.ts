import { Module } from '@nestjs/common';
import { LiveSessions } from './live-sessions';
import { SessionsPurge } from './sessions-purge';
import { SessionsService } from './sessions.service';

@Module({
  providers: [SessionsService, SessionsPurge, LiveSessions],
  exports: [SessionsService],
})
export class SessionsModule {}
