import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { HttpRequest } from '../../http/http';
import { Principal } from '../principal';

/** The principal the access (or refresh) strategy put on the request. */
export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<HttpRequest>().user as Principal,
);
