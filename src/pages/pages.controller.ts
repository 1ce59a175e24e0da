import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/decorators/public.decorator';
import { RateLimited } from '../auth/decorators/rate-limited.decorator';
import { LoginDto, SignupDto } from '../auth/dto/credentials.dto';
import { clientOf } from '../common/client';
import { uuidParam } from '../common/uuid-param';
import { AccountService } from './account.service';
import { sendPage } from './layout';
import { FormErrorFilter, PageErrorFilter } from './page-errors.filter';
import { PageSession } from './page-session';
import { accountPage, loginPage, signupPage } from './views';

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
    private readonly account: AccountService,
  ) {}

  @Get('login')
  loginForm(@Query('error') error: unknown, @Res() res: Response): void {
    sendPage(res, 200, loginPage({ error: error === '1' ? 'Sign-in failed; check your username and password.' : undefined }));
  }

  @Get('signup')
  signupForm(@Res() res: Response): void {
    sendPage(res, 200, signupPage());
  }

  @RateLimited('credentials') @UseFilters(new FormErrorFilter(loginPage))
  @Post('pages/login')
  async login(@Body() body: LoginDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.session.login(body, req, res);
    res.redirect(303, '/account');
  }

  @RateLimited('credentials') @UseFilters(new FormErrorFilter(signupPage))
  @Post('pages/signup')
  async signup(@Body() body: SignupDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.session.signup(body, req, res);
    res.redirect(303, '/account');
  }

  @Get('account')
  async show(@Req() req: Request, @Res() res: Response): Promise<void> {
    const caller = await this.session.resume(req, res);
    if (!caller) return res.redirect(303, '/login');
    sendPage(res, 200, accountPage(await this.account.view(caller)));
  }

  @Post('pages/sessions/:id/revoke')
  async revoke(@Param('id', uuidParam('No such session')) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const caller = await this.session.resume(req, res);
    if (!caller) return res.redirect(303, '/login');
    const { ownSession } = await this.account.revokeSession(caller, id, clientOf(req));
    if (ownSession) this.session.clear(res);
    res.redirect(303, ownSession ? '/login' : '/account');
  }

  @Post('pages/logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.session.end(req, res);
    res.redirect(303, '/login');
  }
}
