import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountService } from './account.service';
import { PageSession } from './page-session';
import { PagesController } from './pages.controller';
import { SignInMethodsController } from './sign-in-methods.controller';
import { RecoveryModule } from '../recovery/recovery.module';

/** Server-rendered login and account pages (HTML forms, no client script) over the same auth-cookie. */
@Module({
  imports: [AuthModule, UsersModule, SessionsModule, RecoveryModule, MfaModule],
  controllers: [PagesController, SignInMethodsController],
  providers: [PageSession, AccountService],
})
export class PagesModule {}
