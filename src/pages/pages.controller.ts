import { Body, Controller, Get, NotFoundException, Param, Post, Query, Req, Res, UseFilters, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HttpRequest, HttpResponse, redirect } from '../http/http';
import { Public } from '../auth/decorators/public.decorator';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { LoginDto } from '../auth/dto/login.dto';
import { SignupDto } from '../auth/dto/signup.dto';
import { Principal } from '../auth/principal';
import { SignIn, secondStepProof } from '../auth/sign-in';
import { SecondStepDto } from '../auth/dto/second-step.dto';
import { clientOf } from '../common/client';
import { uuidParam } from '../common/uuid-param';
import { AccountService } from './account.service';
import { FormBlanksAsAbsent } from './form-blanks.interceptor';
import { sendPage } from './layout';
import { FormErrorFilter, PageErrorFilter, TokenFormErrorFilter } from './page-errors.filter';
import { PageSession, elsewhere, isCaller } from './page-session';
import { accountPage, forgotPage, loginPage, messagePage, resetPage, secondStepPage, secureAccountPage, signupPage, verifyPage } from './views';
import { ForgotFormDto } from './forgot-form.dto';
import { PasswordReset } from '../recovery/password-reset.service';
import { EmailVerification } from '../users/email-verification';
import { PasswordResetConfirmDto } from '../recovery/dto/password-reset-confirm.dto';
import { VerifyEmailDto } from '../recovery/dto/verify-email.dto';
import { SecureAccountDto } from '../recovery/dto/secure-account.dto';
import { SecureAccount } from '../recovery/secure-account.service';

/**
 * Server-rendered pages, no client script. Public to the access guard because each page reads
 * the cookie itself (PageSession) and answers with a redirect to /login instead of a 401; the
 * global CSRF guard still checks every form post. HTML, not API: left out of the OpenAPI document.
 */
@ApiExcludeController()
@Public()
@Controller()
@UseFilters(PageErrorFilter)
export class PagesController {
  constructor(
    private readonly session: PageSession,
    private readonly signIn: SignIn,
    private readonly account: AccountService,
    private readonly reset: PasswordReset,
    private readonly verification: EmailVerification,
    private readonly secure: SecureAccount,
  ) {}

  @Get('login')
  loginForm(@Query('error') error: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): void {
    const message = error === '1' ? 'Sign-in failed; check your username and password.' : undefined;
    sendPage(res, 200, loginPage({ error: message, csrfToken: req.csrfToken?.() }));
  }

  @Get('signup')
  signupForm(@Req() req: HttpRequest, @Res() res: HttpResponse): void {
    sendPage(res, 200, signupPage({ csrfToken: req.csrfToken?.() }));
  }

  @RateLimited('credentials') @UseFilters(new FormErrorFilter(loginPage))
  @Post('pages/login')
  async login(@Body() body: LoginDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const result = await this.signIn.withPassword(body, req, res);
    if ('mfaRequired' in result) return sendPage(res, 200, secondStepPage({ csrfToken: req.csrfToken?.() }));
    redirect(res, 303, '/account');
  }

  @RateLimited('credentials') @UseFilters(new FormErrorFilter(secondStepPage))
  @Post('pages/login/mfa')
  async loginSecondStep(@Body() body: SecondStepDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    await this.signIn.withSecondStep(secondStepProof(body), req, res, body.rememberDevice);
    redirect(res, 303, '/account');
  }

  @RateLimited('credentials') @UseFilters(new FormErrorFilter(signupPage)) @UseInterceptors(new FormBlanksAsAbsent(['name']))
  @Post('pages/signup')
  async signup(@Body() body: SignupDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    await this.signIn.signup(body, req, res);
    redirect(res, 303, '/account');
  }

  @Get('forgot')
  forgotForm(@Req() req: HttpRequest, @Res() res: HttpResponse): void {
    sendPage(res, 200, forgotPage({ csrfToken: req.csrfToken?.() }));
  }

  /** The same page whatever exists: the lookup and the mail happen after the answer (PasswordReset). */
  @RateLimited('recovery') @UseFilters(new FormErrorFilter(forgotPage))
  @Post('pages/forgot')
  requestReset(@Body() body: ForgotFormDto, @Req() req: HttpRequest, @Res() res: HttpResponse): void {
    this.reset.request(body.request, clientOf(req));
    sendPage(res, 200, messagePage('Check your mail', this.reset.requestedMessage, { href: '/login', text: 'Back to sign in' }));
  }

  /** The link in the mail. Shows the form only: a GET (a mail scanner, a preview) changes nothing. */
  @Get('reset')
  resetForm(@Query('token') token: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): void {
    sendPage(res, 200, resetPage({ token: typeof token === 'string' ? token : '', csrfToken: req.csrfToken?.() }), { carriesToken: true });
  }

  @RateLimited('recovery') @UseFilters(new TokenFormErrorFilter(resetPage))
  @Post('pages/reset')
  async confirmReset(@Body() body: PasswordResetConfirmDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    await this.reset.confirm(body.token, body.password, clientOf(req));
    // Every session of the account has ended, this browser's included.
    this.session.clear(res);
    sendPage(res, 200, messagePage('Password changed', 'Your new password is set, and every session was signed out. Sign in with the new password.'), { carriesToken: true });
  }

  @Get('verify')
  verifyForm(@Query('token') token: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): void {
    sendPage(res, 200, verifyPage({ token: typeof token === 'string' ? token : '', csrfToken: req.csrfToken?.() }), { carriesToken: true });
  }

  @RateLimited('recovery') @UseFilters(new TokenFormErrorFilter(verifyPage))
  @Post('pages/verify')
  async confirmEmail(@Body() body: VerifyEmailDto, @Res() res: HttpResponse): Promise<void> {
    await this.verification.confirm(body.token);
    sendPage(res, 200, messagePage('Address confirmed', 'Your e-mail address is verified: password-reset links can be sent to it.', { href: '/account', text: 'Your account' }), { carriesToken: true });
  }

  @Get('secure-account')
  secureAccountForm(@Query('token') token: unknown, @Req() req: HttpRequest, @Res() res: HttpResponse): void {
    sendPage(res, 200, secureAccountPage({ token: typeof token === 'string' ? token : '', csrfToken: req.csrfToken?.() }), { carriesToken: true });
  }

  @RateLimited('recovery') @UseFilters(new TokenFormErrorFilter(secureAccountPage))
  @Post('pages/secure-account')
  async secureAccount(@Body() body: SecureAccountDto, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    await this.secure.confirm(body.token, clientOf(req));
    // Every session of the account has ended, this browser's included.
    this.session.clear(res);
    sendPage(res, 200, messagePage('Account secured', 'Every session was signed out and the address is your account\'s again. Now choose a new password.', { href: '/forgot', text: 'Reset your password' }), { carriesToken: true });
  }

  @Get('account')
  async show(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const caller = await this.session.resume(req, res);
    if (!isCaller(caller)) return redirect(res, 303, elsewhere(caller));
    sendPage(res, 200, accountPage({ ...(await this.account.view(caller)), csrfToken: req.csrfToken?.() }));
  }

  /** COOKIE_LAYOUT=split only: pages come here to refresh, as only this path receives the refresh cookie. */
  @RateLimited('refresh')
  @Get('auth/refresh/page')
  async renew(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    if (!this.session.refreshesByRedirect) throw new NotFoundException('Pages refresh in place with COOKIE_LAYOUT=single');
    redirect(res, 303, (await this.session.renew(req, res)) ? '/account' : '/login');
  }

  @Post('pages/sessions/:id/revoke')
  async revoke(@Param('id', uuidParam('No such session')) id: string, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const caller = await this.session.resume(req, res);
    if (!isCaller(caller)) return redirect(res, 303, elsewhere(caller));
    const { ownSession } = await this.account.revokeSession(caller, id, clientOf(req));
    if (ownSession) this.session.clear(res);
    redirect(res, 303, ownSession ? '/login' : '/account');
  }

  @Post('pages/logout')
  async logout(@Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    await this.session.signOut(req, res);
    redirect(res, 303, '/login');
  }
}
