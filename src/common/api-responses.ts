import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiPayloadTooLargeResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorDto } from './dto/error.dto';
import { COOKIE_AUTH } from './openapi';

/**
 * The OpenAPI answers many routes share, so that each feature's *.api-docs.ts lists only what is
 * its own. Descriptions given twice for one status are joined by @nestjs/swagger.
 */

/** Needs a live session: the cookie's access token, checked against the store. */
export const ApiSignedIn = () =>
  applyDecorators(
    ApiCookieAuth(COOKIE_AUTH),
    ApiUnauthorizedResponse({
      type: ErrorDto,
      description:
        'No live session: `Not signed in`, `Access token expired; call POST /auth/refresh` (then retry), or `Your session has ended; sign in again`.',
    }),
  );

/** POST, PATCH, DELETE: the CSRF check on Origin / Sec-Fetch-Site. */
export const ApiStateChanging = () =>
  ApiForbiddenResponse({
    type: ErrorDto,
    description:
      'Cross-site request refused: the `Origin` is neither this service nor in ALLOWED_ORIGINS, or `Sec-Fetch-Site: cross-site`. ' +
      'With CSRF_MODE=double-submit, also a missing or wrong `X-CSRF-Token` (see GET /auth/csrf).',
  });

/** A validated JSON (or urlencoded) body. */
export const ApiValidatedBody = () =>
  applyDecorators(
    ApiBadRequestResponse({ type: ErrorDto, description: 'The body is not valid JSON, breaks a field rule, or has an unknown field.' }),
    ApiPayloadTooLargeResponse({ type: ErrorDto, description: 'The body is larger than BODY_LIMIT (100kb by default).' }),
  );

/** Per-client-address limit (@RateLimited), and whatever else a route counts. */
export const ApiRateLimited = (description = 'Too many attempts from this client in the window.') =>
  ApiTooManyRequestsResponse({
    type: ErrorDto,
    description,
    headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } },
  });
