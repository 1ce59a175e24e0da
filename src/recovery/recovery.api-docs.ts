import { applyDecorators } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNoContentResponse, ApiOperation, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { ApiRateLimited, ApiStateChanging, ApiValidatedBody } from '../common/api-responses';
import { ErrorDto } from '../common/dto/error.dto';
import { ResetRequestedDto } from './dto/reset-requested.dto';

const NotSetUp = () =>
  ApiServiceUnavailableResponse({ type: ErrorDto, description: 'E-mail is not set up on this server (production without SMTP_URL or PUBLIC_URL)' });

/** OpenAPI descriptions of RecoveryController's routes, one decorator each. */
export const RecoveryDocs = {
  requestReset: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Ask for a password-reset link',
        description:
          'Send `{ "username" }` or `{ "email" }`. Always the same 202, at once, whether or not the account or a verified address exists: ' +
          'the lookup and the mail happen after the answer. Only an account with a verified address gets a single-use link ' +
          '(PUBLIC_URL/reset?token=…, valid PASSWORD_RESET_TTL); a newer request retires the older link. At most MAIL_LIMIT mails per account in MAIL_LIMIT_WINDOW.',
      }),
      ApiAcceptedResponse({ type: ResetRequestedDto, description: 'Accepted (the same answer for every account, existing or not)' }),
      ApiValidatedBody(),
      ApiBadRequestResponse({ type: ErrorDto, description: 'Neither or both of `username` and `email`, or a malformed one' }),
      ApiStateChanging(),
      ApiRateLimited('Too many recovery requests from this client (RATE_LIMIT_RECOVERY per window).'),
      NotSetUp(),
    ),

  confirmReset: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Set a new password with the token from a reset link',
        description:
          'Sets the password, ends every session of the account (sign in again), clears the account lockout and mails a notice. ' +
          'The token works once, and only while the address it was mailed to is still the account\'s verified address ' +
          '(a new address, a new password or sign-out everywhere retires it). Nothing changes when the request is refused.',
      }),
      ApiNoContentResponse({ description: 'Password changed; every session ended' }),
      ApiValidatedBody(),
      ApiBadRequestResponse({ type: ErrorDto, description: '`This reset link is invalid, used or expired…` (also a verification or other token), a malformed token, or a password that breaks the rules' }),
      ApiStateChanging(),
      ApiRateLimited('Too many recovery requests from this client, or too many reset attempts for this account (5 in 15 minutes).'),
      NotSetUp(),
    ),

  verifyEmail: () =>
    applyDecorators(
      ApiOperation({ summary: 'Confirm an e-mail address with the token from a verification link', description: 'The token works once.' }),
      ApiNoContentResponse({ description: 'The address is verified' }),
      ApiValidatedBody(),
      ApiBadRequestResponse({ type: ErrorDto, description: '`This verification link is invalid, used or expired…` (also when the account has changed its address since), or a malformed token' }),
      ApiConflictResponse({ type: ErrorDto, description: '`This address already belongs to another account` (it was verified there first)' }),
      ApiStateChanging(),
      ApiRateLimited('Too many recovery requests from this client (RATE_LIMIT_RECOVERY per window).'),
      NotSetUp(),
    ),

  secureAccount: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Take the account back with the "not you?" link mailed to its previous address',
        description:
          'When a verified address is replaced, that address gets a single-use link (PUBLIC_URL/secure-account?token=…, valid SECURE_ACCOUNT_TTL). ' +
          'Posting its token makes that address the account\'s verified address again (unless another account has verified it since), ends every session ' +
          'and retires every reset and verification link; then reset the password through that address.',
      }),
      ApiNoContentResponse({ description: 'Every session ended; the address is the account\'s again' }),
      ApiValidatedBody(),
      ApiBadRequestResponse({ type: ErrorDto, description: '`This link is invalid, used or expired…`, or a malformed token' }),
      ApiStateChanging(),
      ApiRateLimited('Too many recovery requests from this client (RATE_LIMIT_RECOVERY per window).'),
      NotSetUp(),
    ),
};
