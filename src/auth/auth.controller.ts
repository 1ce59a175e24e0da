import { Body, Controller, Get, Header, HttpCode, NotFoundException, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse } from '../http/http';
import { Client, ClientInfo, clientOf } from '../common/client';
import { toOwnUser } from '../users/user';
import { UsersService } from '../users/users.service';
import { AuthDocs } from './auth.api-docs';
import { AuthService, SignedIn } from './auth.service';
import { AuthCookie } from './cookies/auth-cookie';
import { ClearCookieOnRefreshFailure } from './cookies/clear-cookie-on-refresh-failure.filter';
import { CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { DeviceCookie } from './cookies/device-cookie';
import { LoginDto } from './dto/login.dto';
import { SignupDto } from './dto/signup.dto';
import { ReauthDto } from './dto/reauth.dto';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard';
import { SignIn, secondStepProof } from './sign-in';
import { SecondStepDto } from './dto/second-step.dto';
import { SecondFactors } from '../mfa/second-factors.service';
import { Principal, RefreshPrincipal } from './principal';
import { CsrfTokens } from './tokens/csrf-tokens';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly signIn: SignIn,
    private readonly users: UsersService,
    private readonly secondFactors: SecondFactors,
    private readonly cookie: AuthCookie,
    private readonly device: DeviceCookie,
    private readonly csrf: CsrfTokens,
  ) {}

  @AuthDocs.signup()
  @Public() @RateLimited('credentials') @Post('signup')
  async signup(@Body() body: SignupDto, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse) {
    return { user: toOwnUser(await this.signIn.signup(body, req, res)) };
  }

  @AuthDocs.login()
  @Public() @RateLimited('credentials') @Post('login') @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse) {
    const result = await this.signIn.withPassword(body, req, res);
    return 'user' in result ? { user: toOwnUser(result.user) } : result;
  }

  /** The second step of a password sign-in, with the pending cookie that POST /auth/login set. */
  @AuthDocs.loginSecondStep()
  @Public() @RateLimited('credentials') @Post('login/mfa') @HttpCode(200)
  async loginSecondStep(@Body() body: SecondStepDto, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse) {
    return { user: toOwnUser(await this.signIn.withSecondStep(secondStepProof(body), req, res, body.rememberDevice)) };
  }

  @AuthDocs.refresh()
  @Public() @RateLimited('refresh') @UseGuards(JwtRefreshGuard) @UseFilters(ClearCookieOnRefreshFailure)
  @Post('refresh') @HttpCode(200)
  async refresh(@CurrentUser() caller: RefreshPrincipal, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse) {
    return this.signedIn(res, await this.auth.refresh(caller, clientOf(req)));
  }

  /** Sudo mode: proves the password again for this session, a counted password check like a login. */
  @AuthDocs.reauth()
  @RateLimited('credentials') @Post('reauth') @HttpCode(200)
  async reauth(@CurrentUser() caller: Principal, @Body() body: ReauthDto, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse) {
    const attempt = { deviceToken: this.device.read(req), client: clientOf(req) };
    const proved = await this.auth.reauth(caller, body.password, attempt, this.cookie.read(req));
    if ('signedIn' in proved) return this.signedIn(res, proved.signedIn);
    const { user, token, expiresAt } = proved.accessOnly;
    this.cookie.replaceAccessToken(res, token, expiresAt);
    return { user: toOwnUser(user) };
  }

  @AuthDocs.logout()
  @Public() @Post('logout') @HttpCode(204) @Header('Clear-Site-Data', '"cookies"')
  async logout(@Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse): Promise<void> {
    await this.auth.logout(this.cookie.accessToken(req), clientOf(req));
    this.cookie.clear(res);
  }

  @AuthDocs.logoutAll()
  @Post('logout-all') @HttpCode(204) @Header('Clear-Site-Data', '"cookies"')
  async logoutAll(@CurrentUser() caller: Principal, @Client() client: ClientInfo, @Res({ passthrough: true }) res: HttpResponse): Promise<void> {
    await this.auth.logoutAll(caller, client);
    this.cookie.clear(res);
  }

  @AuthDocs.csrf()
  @Public() @Get('csrf')
  csrfToken(@Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse) {
    if (!this.csrf.enabled) throw new NotFoundException('CSRF tokens are off here (CSRF_MODE=origin): unsafe requests need no token');
    return { csrfToken: this.csrf.issue(req, res) };
  }

  @AuthDocs.me()
  @Get('me')
  async me(@CurrentUser() caller: Principal) {
    const [user, mfa] = await Promise.all([this.users.get(caller.userId), this.secondFactors.status(caller.userId)]);
    return { ...toOwnUser(user), mfa };
  }

  /** A rotated session (refresh, reauth): the new cookie. Sign-ins go through SignIn. */
  private signedIn(res: HttpResponse, { user, cookie, expiresAt }: SignedIn) {
    this.cookie.set(res, cookie, expiresAt);
    return { user: toOwnUser(user) };
  }
}
