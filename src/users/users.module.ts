import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { Passwords } from './passwords';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [SessionsModule],
  controllers: [UsersController],
  providers: [UsersService, Passwords],
  exports: [UsersService],
})
export class UsersModule {}
