import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { HttpRequest, HttpResponse, headersSent } from '../http/http';
import { ErrorBody, logServerError, setRetryAfter, toErrorBody } from '../common/http-error.filter';
import { SafeHtml } from './html';
import { sendPage } from './layout';
import { ONE_TIME_TOKEN_PATTERN } from '../auth/tokens/one-time-tokens';
import { FormState, TokenFormState, errorPage } from './views';

/**
 * The pages' exit for errors: the same status and message as the API's JSON (one mapping,
 * `toErrorBody`, so driver text never shows), written as an HTML page instead.
 */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');
  /** Set by filters of pages whose URL or form carries a token (see sendPage). */
  protected readonly carriesToken: boolean = false;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<HttpResponse>();
    const error = toErrorBody(exception);
    logServerError(this.logger, error, exception, http.getRequest<HttpRequest>());
    if (headersSent(res)) return;
    setRetryAfter(res, exception);
    sendPage(res, error.statusCode, this.render(error, http.getRequest<HttpRequest>()), { carriesToken: this.carriesToken });
  }

  protected render(error: ErrorBody, _req: HttpRequest): SafeHtml {
    return errorPage(error.statusCode, error.message);
  }
}

/** On a form's POST route: a 4xx (bad body, wrong password, taken name, too many tries) shows the form again. */
export class FormErrorFilter extends PageErrorFilter {
  constructor(private readonly form: (state: FormState) => SafeHtml) {
    super();
  }

  protected override render(error: ErrorBody, req: HttpRequest): SafeHtml {
    if (error.statusCode >= 500) return super.render(error, req);
    const username = (req.body as Record<string, unknown> | undefined)?.username;
    return this.form({
      error: error.message,
      username: typeof username === 'string' && username.length <= 64 ? username : undefined,
      csrfToken: req.csrfToken?.(),
    });
  }
}

/**
 * On the reset and verify forms' POST routes: a 4xx shows the same form again with the message,
 * the token kept only when it has the token's shape (anything else was not from our link).
 */
export class TokenFormErrorFilter extends PageErrorFilter {
  protected override readonly carriesToken = true;

  constructor(private readonly form: (state: TokenFormState) => SafeHtml) {
    super();
  }

  protected override render(error: ErrorBody, req: HttpRequest): SafeHtml {
    if (error.statusCode >= 500) return super.render(error, req);
    const token = (req.body as Record<string, unknown> | undefined)?.token;
    return this.form({
      token: typeof token === 'string' && ONE_TIME_TOKEN_PATTERN.test(token) ? token : '',
      error: error.message,
      csrfToken: req.csrfToken?.(),
    });
  }
}
