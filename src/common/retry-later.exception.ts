import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 or 503 that tells the client when to come back: the error filters add `Retry-After`. */
export class RetryLaterException extends HttpException {
  constructor(
    status: HttpStatus.TOO_MANY_REQUESTS | HttpStatus.SERVICE_UNAVAILABLE,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, status);
  }
}
