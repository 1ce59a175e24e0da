import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { HttpRequest } from '../http/http';
import { Observable } from 'rxjs';

/**
 * A browser posts every input of a form, an empty one as "": for an optional field that means
 * "not given", not "set to nothing" (which the API's validation rightly refuses). Runs before
 * the validation pipe, so the DTOs stay the API's.
 */
@Injectable()
export class FormBlanksAsAbsent implements NestInterceptor {
  constructor(private readonly optionalFields: readonly string[]) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<HttpRequest>().body as Record<string, unknown> | undefined;
    if (typeof body === 'object' && body !== null) {
      for (const field of this.optionalFields) if (body[field] === '') delete body[field];
    }
    return next.handle();
  }
}
