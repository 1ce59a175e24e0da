import { Module } from '@nestjs/common';
import { SessionsPurge } from './sessions-purge';
import { SessionsService } from './sessions.service';

@Module({
  providers: [SessionsService, SessionsPurge],
  exports: [SessionsService],
})
export class SessionsModule {}
