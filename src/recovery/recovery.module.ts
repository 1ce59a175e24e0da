import { Module } from '@nestjs/common';
import { MfaModule } from '../mfa/mfa.module';
import { UsersModule } from '../users/users.module';
import { PasswordReset } from './password-reset.service';
import { RecoveryController } from './recovery.controller';
import { SecureAccount } from './secure-account.service';

/** Password reset, e-mail verification and "not me" over mail (MailModule); pages for them live in pages/. */
@Module({
  imports: [UsersModule, MfaModule],
  controllers: [RecoveryController],
  providers: [PasswordReset, SecureAccount],
  exports: [PasswordReset, SecureAccount],
})
export class RecoveryModule {}
