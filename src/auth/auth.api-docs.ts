import { applyDecorators } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  ApiExtraModels,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiRateLimited, ApiSignedIn, ApiStateChanging, ApiValidatedBody } from '../common/api-responses';
import { ErrorDto } from '../common/dto/error.dto';
import { COOKIE_AUTH } from '../common/openapi';
import { ApiNewPasswordRefused } from '../users/users.api-docs';
import { CsrfTokenDto } from './dto/csrf-token.dto';
import { UserResponseDto } from './dto/user-response.dto';
import { MeDto, MfaRequiredDto } from './dto/mfa.dto';

const SETS_COOKIE = {
  'Set-Cookie': {
    description:
      'auth-cookie=j:{"token":…,"refreshToken":…}; Max-Age=<refresh lifetime left>; Path=/; HttpOnly; SameSite=Lax (Secure in production). ' +
      'COOKIE_LAYOUT=split: __Host-access=<jwt> (Path=/) and __Secure-refresh=<token> (Path=/auth/refresh; SameSite=Strict), both Secure',
    schema: { type: 'string' },
  },
};
const SETS_COOKIE_OR_PENDING = {
  'Set-Cookie': {
    description:
      `${SETS_COOKIE['Set-Cookie'].description}. When a second step is needed, only pending=<token>; Max-Age=300; Path=/; HttpOnly; SameSite=Strict ` +
      '(`__Host-pending`, Secure, where cookies are Secure): it opens nothing but POST /auth/login/mfa',
    schema: { type: 'string' },
  },
};
const CLEARS_COOKIE = {
  'Set-Cookie': { description: 'auth-cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT (cleared)', schema: { type: 'string' } },
};
const CLEARS_SITE_COOKIES = {
  ...CLEARS_COOKIE,
  'Clear-Site-Data': { description: '"cookies"', schema: { type: 'string' } },
};

/** OpenAPI descriptions of AuthController's routes, one decorator each. */
export const AuthDocs = {
  signup: () =>
    applyDecorators(
      ApiOperation({ summary: 'Create an account and sign in', description: 'Starts a session and sets the auth cookie.' }),
      ApiCreatedResponse({ type: UserResponseDto, description: 'Account created and signed in', headers: SETS_COOKIE }),
      ApiConflictResponse({ type: ErrorDto, description: '`That username is taken` (usernames are case-insensitive). Never for an e-mail address: see `email`' }),
      ApiServiceUnavailableResponse({ type: ErrorDto, description: '`email` was given but e-mail is not set up on this server (SMTP_URL, PUBLIC_URL)' }),
      ApiValidatedBody(),
      ApiNewPasswordRefused(),
      ApiStateChanging(),
      ApiRateLimited(),
    ),

  login: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Sign in with username and password',
        description:
          'Starts a new session (one per device) and sets the auth cookie. For an account with a second factor the answer is ' +
          '`{ "mfaRequired": true, "methods": [...] }` instead, with no session and only a pending cookie (5 minutes): finish with POST /auth/login/mfa.',
      }),
      ApiExtraModels(MfaRequiredDto),
      ApiOkResponse({
        description: 'Signed in (`{ user }` and the cookie), or a second step is needed (`{ mfaRequired, methods }` and the pending cookie)',
        headers: SETS_COOKIE_OR_PENDING,
        schema: { oneOf: [{ $ref: getSchemaPath(UserResponseDto) }, { $ref: getSchemaPath(MfaRequiredDto) }] },
      }),
      ApiUnauthorizedResponse({
        type: ErrorDto,
        description: '`Invalid credentials`: the same answer for an unknown user, a wrong password and a temporarily locked account',
      }),
      ApiValidatedBody(),
      ApiStateChanging(),
      ApiRateLimited(),
    ),

  loginSecondStep: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Finish a sign-in with its second step',
        description:
          'Send `{ "code" }` (the authenticator app\'s 6 digits) or `{ "recoveryCode" }` with the pending cookie that POST /auth/login set. ' +
          'Each code is counted like a password (the account lockout); each time step and each recovery code works once; five wrong codes end the pending sign-in.',
      }),
      ApiOkResponse({ type: UserResponseDto, description: 'Signed in', headers: SETS_COOKIE }),
      ApiUnauthorizedResponse({ type: ErrorDto, description: 'A wrong or used code, or no pending sign-in (none, expired, completed or ended): sign in with the password again' }),
      ApiValidatedBody(),
      ApiStateChanging(),
      ApiRateLimited('Too many attempts from this client, or too many wrong passwords and codes for this account (see Retry-After).'),
    ),

  refresh: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Rotate the refresh token and renew the cookie',
        description:
          'Reads the refresh token and the (possibly expired) access token from the cookie, retires the refresh token and sets a new pair in the same session. ' +
          'Tabs refreshing at once within the grace window all receive the same successor. Presenting an older token revokes the whole session.',
      }),
      ApiCookieAuth(COOKIE_AUTH),
      ApiOkResponse({ type: UserResponseDto, description: 'Rotated: a new cookie', headers: SETS_COOKIE }),
      ApiUnauthorizedResponse({
        type: ErrorDto,
        description: 'No cookie, an invalid or expired refresh token, an ended session, or a reused (stolen) token; the cookie is cleared: sign in again',
        headers: CLEARS_COOKIE,
      }),
      ApiStateChanging(),
      ApiRateLimited(),
    ),

  reauth: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Prove your password again for this session (recent sign-in)',
        description:
          'Changing the password and deleting the account need the password proved within REAUTH_MAX_AGE (10 min by default) in this session, ' +
          'or the current password in that request. This proves it for the current session: a new access token with `auth_time` now; ' +
          'the session and its refresh token stay. Counted like a login for the account lockout and the credential rate limit.',
      }),
      ApiSignedIn(),
      ApiOkResponse({ type: UserResponseDto, description: 'Proved: the cookie carries a fresh access token', headers: SETS_COOKIE }),
      ApiValidatedBody(),
      ApiForbiddenResponse({ type: ErrorDto, description: '`password is not correct` (counted toward the lockout); also a refused cross-site request' }),
      ApiRateLimited('Too many requests from this client (the credential limit), or too many wrong passwords for this account: wait `Retry-After` seconds.'),
    ),

  logout: () =>
    applyDecorators(
      ApiOperation({ summary: 'Sign out of this session', description: 'Revokes the session of the cookie, if any, and clears it. Succeeds also with no or a bad cookie.' }),
      ApiNoContentResponse({ description: 'Signed out; the cookie is cleared', headers: CLEARS_SITE_COOKIES }),
      ApiStateChanging(),
    ),

  logoutAll: () =>
    applyDecorators(
      ApiOperation({ summary: 'Sign out of every session of this user', description: 'Revokes all sessions, on every device, and clears the cookie.' }),
      ApiSignedIn(),
      ApiNoContentResponse({ description: 'Every session revoked; the cookie is cleared', headers: CLEARS_SITE_COOKIES }),
      ApiStateChanging(),
    ),

  csrf: () =>
    applyDecorators(
      ApiOperation({
        summary: 'A CSRF token (CSRF_MODE=double-submit only)',
        description:
          'Sets the HttpOnly `__Host-csrf` cookie and returns the same token, bound to the current session (or to none before sign-in). ' +
          'Send it in the `X-CSRF-Token` header on every POST, PATCH and DELETE; fetch a new one after signup or login (a new session).',
      }),
      ApiOkResponse({ type: CsrfTokenDto, headers: { 'Set-Cookie': { description: '__Host-csrf=<token>; Path=/; HttpOnly; Secure; SameSite=Strict', schema: { type: 'string' } } } }),
      ApiNotFoundResponse({ type: ErrorDto, description: 'CSRF_MODE is `origin` (the default): no token is needed' }),
    ),

  me: () =>
    applyDecorators(
      ApiOperation({ summary: 'The signed-in user', description: 'Your own account, with your e-mail address, whether it is verified, and your second factors (`mfa`).' }),
      ApiSignedIn(),
      ApiOkResponse({ type: MeDto }),
    ),
};
