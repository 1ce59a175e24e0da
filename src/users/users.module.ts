import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { PasswordCheck } from './password-check';
import { PasswordPolicy } from './password-policy';
import { Passwords } from './passwords';
import { RecentAuth } from './recent-auth';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [SessionsModule],
  controllers: [UsersController],
  providers: [UsersService, Passwords, PasswordCheck, PasswordPolicy, RecentAuth],
  exports: [UsersService, PasswordPolicy],
})
export class UsersModule {}
