import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiRateLimited, ApiSignedIn, ApiStateChanging, ApiValidatedBody } from '../common/api-responses';
import { ErrorDto } from '../common/dto/error.dto';
import { RecoveryCodesDto, TotpEnrolmentDto } from './dto/mfa.dto';

const Recent = () =>
  applyDecorators(
    ApiForbiddenResponse({ type: ErrorDto, description: '`This needs a recent sign-in…` (send `currentPassword`), or `currentPassword is not correct`' }),
    ApiRateLimited('Too many attempts from this client, or too many wrong passwords for this account (see Retry-After).'),
  );

/** OpenAPI descriptions of MfaController's routes, one decorator each. */
export const MfaDocs = {
  startTotp: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Start setting up an authenticator app (TOTP)',
        description:
          'Needs a recent sign-in or `currentPassword`. Answers a new secret and its `otpauth://` URI (SHA-1, 6 digits, 30 s, issuer APP_NAME). ' +
          'Nothing is active until POST /auth/mfa/totp/confirm; starting again replaces an unconfirmed secret.',
      }),
      ApiSignedIn(),
      ApiOkResponse({ type: TotpEnrolmentDto }),
      ApiValidatedBody(),
      ApiConflictResponse({ type: ErrorDto, description: 'An authenticator app is already on (turn it off first)' }),
      ApiStateChanging(),
      Recent(),
    ),

  confirmTotp: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Turn the authenticator app on with a code from it',
        description: 'Answers ten single-use recovery codes, shown this once. From now on a password sign-in asks for a second step. The owner is mailed.',
      }),
      ApiSignedIn(),
      ApiOkResponse({ type: RecoveryCodesDto }),
      ApiValidatedBody(),
      ApiBadRequestResponse({ type: ErrorDto, description: 'A wrong code (nothing changes), or no set-up in progress' }),
      ApiStateChanging(),
      ApiRateLimited(),
    ),

  removeTotp: () =>
    applyDecorators(
      ApiOperation({ summary: 'Turn the authenticator app off', description: 'Needs a recent sign-in or `currentPassword`; the recovery codes go too. The owner is mailed.' }),
      ApiSignedIn(),
      ApiNoContentResponse({ description: 'Off: a password alone signs in again' }),
      ApiValidatedBody(),
      ApiStateChanging(),
      Recent(),
    ),

  newRecoveryCodes: () =>
    applyDecorators(
      ApiOperation({ summary: 'Replace the recovery codes', description: 'Needs a recent sign-in or `currentPassword`, and a second factor on. The old codes stop working. The owner is mailed.' }),
      ApiSignedIn(),
      ApiOkResponse({ type: RecoveryCodesDto }),
      ApiValidatedBody(),
      ApiStateChanging(),
      Recent(),
    ),
};
