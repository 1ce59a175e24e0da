import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators/public.decorator';
import { Client, ClientInfo } from '../common/client';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { EmailVerification } from '../users/email-verification';
import { PasswordResetConfirmDto } from './dto/password-reset-confirm.dto';
import { PasswordResetRequestDto } from './dto/password-reset-request.dto';
import { SecureAccountDto } from './dto/secure-account.dto';
import { VerifyEmailDto } from './dto/verify-email.dto';
import { PasswordReset } from './password-reset.service';
import { SecureAccount } from './secure-account.service';
import { RecoveryDocs } from './recovery.api-docs';

/** Password reset, e-mail verification and "not me": public routes, each rate-limited per client address. */
@ApiTags('recovery')
@Controller('auth')
export class RecoveryController {
  constructor(
    private readonly reset: PasswordReset,
    private readonly verification: EmailVerification,
    private readonly secure: SecureAccount,
  ) {}

  @RecoveryDocs.requestReset()
  @Public() @RateLimited('recovery') @Post('password-reset') @HttpCode(202)
  requestReset(@Body() body: PasswordResetRequestDto, @Client() client: ClientInfo) {
    this.reset.request(body, client);
    return { message: this.reset.requestedMessage };
  }

  @RecoveryDocs.confirmReset()
  @Public() @RateLimited('recovery') @Post('password-reset/confirm') @HttpCode(204)
  async confirmReset(@Body() body: PasswordResetConfirmDto, @Client() client: ClientInfo): Promise<void> {
    await this.reset.confirm(body.token, body.password, client);
  }

  @RecoveryDocs.verifyEmail()
  @Public() @RateLimited('recovery') @Post('verify-email') @HttpCode(204)
  async verifyEmail(@Body() body: VerifyEmailDto): Promise<void> {
    await this.verification.confirm(body.token);
  }

  @RecoveryDocs.secureAccount()
  @Public() @RateLimited('recovery') @Post('secure-account') @HttpCode(204)
  async secureAccount(@Body() body: SecureAccountDto, @Client() client: ClientInfo): Promise<void> {
    await this.secure.confirm(body.token, client);
  }
}
