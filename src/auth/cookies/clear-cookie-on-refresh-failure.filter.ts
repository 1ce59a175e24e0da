import { ArgumentsHost, Catch, Injectable, UnauthorizedException } from '@nestjs/common';
import type { HttpResponse } from '../../http/http';
import { HttpErrorFilter } from '../../common/http-error.filter';
import { AuthCookie } from './auth-cookie';

/** Every refused refresh also clears the cookie: a client holding a dead token should drop it. */
@Injectable()
@Catch(UnauthorizedException)
export class ClearCookieOnRefreshFailure extends HttpErrorFilter {
  constructor(private readonly cookie: AuthCookie) {
    super();
  }

  override catch(exception: UnauthorizedException, host: ArgumentsHost): void {
    this.cookie.clear(host.switchToHttp().getResponse<HttpResponse>());
    super.catch(exception, host);
  }
}
