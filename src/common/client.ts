import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { HttpRequest, header, requestIdOf } from '../http/http';

/** Where a request comes from, as kept on sessions and written into security events. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  /** The request log's id of the request (not kept on sessions): a security event names its request by it. */
  requestId?: string | number | null;
}

export function clientOf(req: HttpRequest): ClientInfo {
  return { ip: req.ip ?? null, userAgent: header(req, 'user-agent')?.slice(0, 512) ?? null, requestId: requestIdOf(req) };
}

/** The calling client's address (as `trust proxy` resolves it) and user agent. */
export const Client = createParamDecorator((_: unknown, context: ExecutionContext) =>
  clientOf(context.switchToHttp().getRequest<HttpRequest>()),
);
