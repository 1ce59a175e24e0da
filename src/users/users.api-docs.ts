import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
} from '@nestjs/swagger';
import { ApiRateLimited, ApiSignedIn, ApiStateChanging, ApiValidatedBody } from '../common/api-responses';
import { ErrorDto } from '../common/dto/error.dto';
import { DeleteUserDto } from './dto/delete-user.dto';
import { OwnUserDto } from './dto/own-user.dto';
import { PublicUserDto } from './dto/public-user.dto';
import { UserPageDto } from './dto/user-page.dto';

const UserId = () => ApiParam({ name: 'id', format: 'uuid', description: 'User id' });
const NoSuchUser = () => ApiNotFoundResponse({ type: ErrorDto, description: '`No such user` (also for an id that is not a UUID)' });
/** One 403 for the recent-sign-in rule (RecentAuth): OpenAPI keeps one description per status. */
const NotYoursOrNotRecent = () =>
  ApiForbiddenResponse({
    type: ErrorDto,
    description:
      '`You can only change your own account`; `currentPassword is not correct`; or the session signed in longer ago than REAUTH_MAX_AGE ' +
      'and no currentPassword was sent: `This needs a recent sign-in: …` (POST /auth/reauth, then retry). Also a refused cross-site request.',
  });

/**
 * The 400 of a route that takes a new password (signup, password change, reset): PasswordPolicy's
 * refusals beside the body's own rules. OpenAPI keeps one description per status, so this one
 * replaces ApiValidatedBody's 400 and says both; put it after ApiValidatedBody.
 */
export const ApiNewPasswordRefused = (otherReasons = 'The body is not valid JSON, breaks a field rule, or has an unknown field') =>
  ApiBadRequestResponse({
    type: ErrorDto,
    description:
      `${otherReasons}; or the new password is refused, the message saying which rule (never the password): ` +
      '`…on a list of commonly used passwords…`, `…built from your username…` (or display name, or the service\'s name), ' +
      'or, with PWNED_PASSWORDS_URL set, `…appeared in a known data breach…`',
  });

/** OpenAPI descriptions of UsersController's routes, one decorator each. */
export const UsersDocs = {
  list: () =>
    applyDecorators(
      ApiOperation({ summary: 'List users (public profiles), a page at a time' }),
      ApiSignedIn(),
      ApiOkResponse({ type: UserPageDto }),
      ApiBadRequestResponse({ type: ErrorDto, description: '`page` or `limit` is not an integer in range (limit ≤ 100)' }),
    ),

  get: () =>
    applyDecorators(
      ApiOperation({ summary: "A user's public profile" }),
      UserId(),
      ApiSignedIn(),
      ApiOkResponse({ type: PublicUserDto }),
      NoSuchUser(),
    ),

  update: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Change your display name, password and/or e-mail address',
        description:
          'A new password or address needs a recent sign-in (within REAUTH_MAX_AGE, see POST /auth/reauth) or `currentPassword`. ' +
          'A new password revokes every other session of the user; this one stays signed in. A new address is unverified and gets a ' +
          'verification link (PUBLIC_URL/verify?token=…); the answer is the same whether or not another account has verified it.',
      }),
      UserId(),
      ApiSignedIn(),
      ApiOkResponse({ type: OwnUserDto, description: 'Your updated account' }),
      ApiServiceUnavailableResponse({ type: ErrorDto, description: 'A new address was sent, but e-mail is not set up on this server (SMTP_URL, PUBLIC_URL)' }),
      ApiValidatedBody(),
      ApiNewPasswordRefused('Nothing to change, or a field breaks its rule'),
      ApiStateChanging(),
      NotYoursOrNotRecent(),
      ApiRateLimited('Too many requests from this client (the credential limit), or too many wrong passwords for this account: wait `Retry-After` seconds.'),
      NoSuchUser(),
    ),

  delete: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Delete your account',
        description:
          'Deletes the user and all their sessions and clears the cookie. Needs a recent sign-in (within REAUTH_MAX_AGE, see POST /auth/reauth) ' +
          'or the current password in the body: `{ "currentPassword": "…" }`.',
      }),
      UserId(),
      ApiSignedIn(),
      ApiBody({ type: DeleteUserDto, required: false }),
      ApiNoContentResponse({
        description: 'Deleted; the cookie is cleared',
        headers: { 'Set-Cookie': { description: 'auth-cookie cleared', schema: { type: 'string' } } },
      }),
      ApiValidatedBody(),
      ApiStateChanging(),
      NotYoursOrNotRecent(),
      ApiRateLimited('Too many requests from this client (the credential limit), or too many wrong passwords for this account: wait `Retry-After` seconds.'),
      NoSuchUser(),
    ),
};
