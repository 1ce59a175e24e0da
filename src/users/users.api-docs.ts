import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { ApiRateLimited, ApiSignedIn, ApiStateChanging, ApiValidatedBody } from '../common/api-responses';
import { ErrorDto } from '../common/dto/error.dto';
import { PublicUserDto, UserPageDto } from './dto/public-user.dto';

const UserId = () => ApiParam({ name: 'id', format: 'uuid', description: 'User id' });
const NoSuchUser = () => ApiNotFoundResponse({ type: ErrorDto, description: '`No such user` (also for an id that is not a UUID)' });
const NotYours = () => ApiForbiddenResponse({ type: ErrorDto, description: '`You can only change your own account`' });

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
        summary: 'Change your display name and/or password',
        description: 'A new password needs `currentPassword` and revokes every other session of the user; this one stays signed in.',
      }),
      UserId(),
      ApiSignedIn(),
      ApiOkResponse({ type: PublicUserDto, description: 'The updated profile' }),
      ApiValidatedBody(),
      ApiBadRequestResponse({ type: ErrorDto, description: 'Nothing to change, or `currentPassword is required to set a new password`' }),
      NotYours(),
      ApiForbiddenResponse({ type: ErrorDto, description: '`currentPassword is not correct`' }),
      ApiRateLimited('Too many requests from this client (the credential limit), or too many wrong passwords for this account: wait `Retry-After` seconds.'),
      ApiStateChanging(),
      NoSuchUser(),
    ),

  delete: () =>
    applyDecorators(
      ApiOperation({ summary: 'Delete your account', description: 'Deletes the user and all their sessions and clears the cookie.' }),
      UserId(),
      ApiSignedIn(),
      ApiNoContentResponse({
        description: 'Deleted; the cookie is cleared',
        headers: { 'Set-Cookie': { description: 'auth-cookie cleared', schema: { type: 'string' } } },
      }),
      NotYours(),
      ApiStateChanging(),
      NoSuchUser(),
    ),
};
