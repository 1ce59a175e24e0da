import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { EmailVerification } from './email-verification';
import { PasswordCheck } from './password-check';
import { PasswordPolicy } from './password-policy';
import { Passwords } from './passwords';
import { RecentAuth } from './recent-auth';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [SessionsModule],
  controllers: [UsersController],
  providers: [UsersService, Passwords, PasswordCheck, PasswordPolicy, RecentAuth, EmailVerification],
  exports: [UsersService, PasswordPolicy, EmailVerification, RecentAuth],
})
export class UsersModule {}
