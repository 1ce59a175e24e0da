import { Strategy } from 'passport';
import type { HttpRequest } from '../../http/http';

type Done = (error: unknown, caller?: unknown) => void;

/**
 * The smallest passport strategy: it hands the request to `validate` (through @nestjs/passport's
 * PassportStrategy) and reports what comes back. Who the caller is, and every token rule, is
 * decided by the Authenticator that `validate` asks; passport only carries the answer.
 */
export class CookieStrategy extends Strategy {
  constructor(private readonly findCaller: (req: HttpRequest, done: Done) => void) {
    super();
  }

  override authenticate(req: HttpRequest): void {
    this.findCaller(req, (error, caller) => {
      if (error) this.error(error as Error);
      else if (caller) this.success(caller);
      else this.fail(401);
    });
  }
}
