import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { SecondFactors } from './second-factors.service';
import { TotpSecrets } from './totp-secrets';

/** Second factors (TOTP and recovery codes): the rules and the store port. Their routes are auth/'s (MfaController). */
@Module({
  imports: [UsersModule],
  providers: [SecondFactors, TotpSecrets],
  exports: [SecondFactors],
})
export class MfaModule {}
