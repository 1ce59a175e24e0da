import { BadRequestException, Body, Controller, Get, Post, Req, Res, UseFilters, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { renderSVG } from 'uqr';
import { DeviceCookie } from '../auth/cookies/device-cookie';
import { Public } from '../auth/decorators/public.decorator';
import { FactorChangeDto, TotpConfirmDto } from '../auth/dto/mfa.dto';
import type { Principal } from '../auth/principal';
import { clientOf } from '../common/client';
import { HttpRequest, HttpResponse, redirect } from '../http/http';
import { SecondFactors } from '../mfa/second-factors.service';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { Attempt } from '../users/recent-auth';
import { FormBlanksAsAbsent } from './form-blanks.interceptor';
import { sendPage } from './layout';
import { PageErrorFilter } from './page-errors.filter';
import { PageSession, elsewhere, isCaller } from './page-session';
import { recoveryCodesPage, totpSetupPage } from './sign-in-methods.views';

/**
 * The account page's sign-in methods, without script: set up an authenticator app (QR code drawn
 * on the server as SVG), turn it off, new recovery codes. The same SecondFactors rules as the API
 * (recent sign-in or the password typed in the form); errors are shown as pages.
 */
@ApiExcludeController()
@Public()
@Controller()
@UseFilters(PageErrorFilter)
@UseInterceptors(new FormBlanksAsAbsent(['currentPassword']))
export class SignInMethodsController {
  constructor(
    private readonly session: PageSession,
    private readonly secondFactors: SecondFactors,
    private readonly device: DeviceCookie,
  ) {}

  @RateLimited('credentials') @Post('pages/account/totp')
  async start(@Body() body: FactorChangeDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const caller = await this.caller(req, res);
    if (!caller) return;
    await this.secondFactors.startTotp(caller, body.currentPassword, this.attempt(req));
    redirect(res, 303, '/account/totp');
  }

  @Get('account/totp')
  async setup(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const caller = await this.caller(req, res);
    if (!caller) return;
    await this.showSetup(caller, req, res, 200);
  }

  @RateLimited('credentials') @Post('pages/account/totp/confirm')
  async confirm(@Body() body: TotpConfirmDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const caller = await this.caller(req, res);
    if (!caller) return;
    try {
      const { recoveryCodes } = await this.secondFactors.confirmTotp(caller, body.code, clientOf(req));
      sendPage(res, 200, recoveryCodesPage(recoveryCodes));
    } catch (error) {
      // A wrong code: the same set-up again, with the message, so the user can try the next code.
      if (!(error instanceof BadRequestException)) throw error;
      await this.showSetup(caller, req, res, 400, error.message);
    }
  }

  @RateLimited('credentials') @Post('pages/account/totp/delete')
  async remove(@Body() body: FactorChangeDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const caller = await this.caller(req, res);
    if (!caller) return;
    await this.secondFactors.removeTotp(caller, body.currentPassword, this.attempt(req));
    redirect(res, 303, '/account');
  }

  @RateLimited('credentials') @Post('pages/account/recovery-codes')
  async newRecoveryCodes(@Body() body: FactorChangeDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const caller = await this.caller(req, res);
    if (!caller) return;
    const { recoveryCodes } = await this.secondFactors.newRecoveryCodes(caller, body.currentPassword, this.attempt(req));
    sendPage(res, 200, recoveryCodesPage(recoveryCodes));
  }

  /** Every remembered browser asks for the second step again (no recent sign-in needed: it only takes trust away). */
  @Post('pages/account/remembered-devices/forget')
  async forgetDevices(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const caller = await this.caller(req, res);
    if (!caller) return;
    await this.secondFactors.forgetDevices(caller.userId);
    redirect(res, 303, '/account');
  }

  private async showSetup(caller: Principal, req: HttpRequest, res: HttpResponse, status: number, error?: string): Promise<void> {
    const enrolment = await this.secondFactors.enrolment(caller);
    if (!enrolment) return redirect(res, 303, '/account');
    sendPage(res, status, totpSetupPage({ qrSvg: renderSVG(enrolment.uri), secret: enrolment.secret, error, csrfToken: req.csrfToken?.() }));
  }

  /** The signed-in caller, or null after redirecting to where a caller would come from. */
  private async caller(req: HttpRequest, res: HttpResponse): Promise<Principal | null> {
    const resumed = await this.session.resume(req, res);
    if (isCaller(resumed)) return resumed;
    redirect(res, 303, elsewhere(resumed));
    return null;
  }

  private attempt(req: HttpRequest): Attempt {
    return { deviceToken: this.device.read(req), client: clientOf(req) };
  }
}
