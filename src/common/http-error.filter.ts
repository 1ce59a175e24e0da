import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { JSON_MAX_DEPTH } from '../http/bodies';
import { HttpRequest, HttpResponse, headersSent, requestIdOf, sendJson, setHeader } from '../http/http';
import { DuplicateKeyError, StoreUnavailableError } from '../storage/storage.errors';
import { RetryLaterException } from './retry-later.exception';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** body-parser's errors carry a status and a type; their messages may quote the body, so we write our own. */
const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.too.large': 'Request body is too large',
  'entity.parse.failed': 'Request body is not valid JSON',
  'entity.too.deep': `Request body nests arrays or objects more than ${JSON_MAX_DEPTH} levels deep; send the fields as the API documents them`,
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset',
  'request.aborted': 'Request aborted',
  'parameters.too.many': 'Too many parameters',
};

/** body-parser's error, whether it arrives bare or wrapped by Nest's Express adapter (as the cause). */
function bodyParserError(exception: unknown): { type: string; status: number } | null {
  for (const candidate of [exception, (exception as { cause?: unknown } | null)?.cause]) {
    const { type, status } = (candidate ?? {}) as { type?: unknown; status?: unknown };
    if (typeof type === 'string' && type in BODY_PARSER_MESSAGES && typeof status === 'number') return { type, status };
  }
  return null;
}

/** Maps an error to the one response shape; never driver text, never a stack. */
export function toErrorBody(exception: unknown): ErrorBody {
  const parserError = bodyParserError(exception);
  if (parserError) return body(parserError.status, BODY_PARSER_MESSAGES[parserError.type]);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    return body(status, message);
  }
  if (exception instanceof StoreUnavailableError) {
    return body(HttpStatus.SERVICE_UNAVAILABLE, 'The data store is unavailable; try again shortly');
  }
  if (exception instanceof DuplicateKeyError) {
    return body(HttpStatus.CONFLICT, `That ${exception.field} is already taken`);
  }
  return body(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
}

/** Sets `Retry-After` when the error says when to come back (both error filters call this). */
export function setRetryAfter(res: HttpResponse, exception: unknown): void {
  if (exception instanceof RetryLaterException && !headersSent(res)) setHeader(res, 'Retry-After', String(exception.retryAfterSeconds));
}

/**
 * A 5xx in the log (every error filter, and the front door, write it here): status and message,
 * the request's id, and for a 500 the unexpected error's stack. 4xx are the client's: not logged.
 */
export function logServerError(logger: Logger, error: ErrorBody, exception: unknown, req: HttpRequest): void {
  if (error.statusCode < 500) return;
  const message = `${error.statusCode} ${error.message}`;
  const stack = exception instanceof Error ? (exception.stack ?? exception.name) : String(exception);
  const err = error.statusCode === 500 ? { err: Object.assign(new Error(message), { stack }) } : {};
  logger.error({ requestId: requestIdOf(req), ...err }, message);
}

function body(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<HttpResponse>();
    const error = toErrorBody(exception);
    logServerError(this.logger, error, exception, http.getRequest<HttpRequest>());
    if (headersSent(res)) return;
    setRetryAfter(res, exception);
    sendJson(res, error.statusCode, error);
  }
}
