import { Body, Controller, Delete, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { clientOf } from '../common/client';
import type { HttpRequest } from '../http/http';
import { SecondFactors } from '../mfa/second-factors.service';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { Attempt } from '../users/recent-auth';
import { DeviceCookie } from './cookies/device-cookie';
import { CurrentUser } from './decorators/current-user.decorator';
import { FactorChangeDto, TotpConfirmDto } from './dto/mfa.dto';
import { MfaDocs } from './mfa.api-docs';
import { Principal } from './principal';

/** The signed-in user's second factors. Each route may carry the current password, so each is rate-limited like login. */
@ApiTags('mfa')
@Controller('auth/mfa')
export class MfaController {
  constructor(
    private readonly secondFactors: SecondFactors,
    private readonly device: DeviceCookie,
  ) {}

  @MfaDocs.startTotp()
  @RateLimited('credentials') @Post('totp') @HttpCode(200)
  startTotp(@CurrentUser() caller: Principal, @Body() body: FactorChangeDto, @Req() req: HttpRequest) {
    return this.secondFactors.startTotp(caller, body.currentPassword, this.attempt(req));
  }

  @MfaDocs.confirmTotp()
  @RateLimited('credentials') @Post('totp/confirm') @HttpCode(200)
  confirmTotp(@CurrentUser() caller: Principal, @Body() body: TotpConfirmDto, @Req() req: HttpRequest) {
    return this.secondFactors.confirmTotp(caller, body.code, clientOf(req));
  }

  @MfaDocs.removeTotp()
  @RateLimited('credentials') @Delete('totp') @HttpCode(204)
  async removeTotp(@CurrentUser() caller: Principal, @Body() body: FactorChangeDto, @Req() req: HttpRequest): Promise<void> {
    await this.secondFactors.removeTotp(caller, body.currentPassword, this.attempt(req));
  }

  @MfaDocs.newRecoveryCodes()
  @RateLimited('credentials') @Post('recovery-codes') @HttpCode(200)
  newRecoveryCodes(@CurrentUser() caller: Principal, @Body() body: FactorChangeDto, @Req() req: HttpRequest) {
    return this.secondFactors.newRecoveryCodes(caller, body.currentPassword, this.attempt(req));
  }

  private attempt(req: HttpRequest): Attempt {
    return { deviceToken: this.device.read(req), client: clientOf(req) };
  }
}
