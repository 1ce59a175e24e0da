import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { PasswordReset } from './password-reset.service';
import { RecoveryController } from './recovery.controller';

/** Password reset and e-mail verification over mail (MailModule); pages for them live in pages/. */
@Module({
  imports: [UsersModule],
  controllers: [RecoveryController],
  providers: [PasswordReset],
  exports: [PasswordReset],
})
export class RecoveryModule {}
