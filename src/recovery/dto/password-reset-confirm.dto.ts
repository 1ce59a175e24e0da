import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength } from 'class-validator';
import { MaxBytes, WellFormed } from '../../common/validation';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../../users/passwords';
import { OneTimeTokenField } from './one-time-token-field';

/** POST /auth/password-reset/confirm and the /reset form. */
export class PasswordResetConfirmDto {
  @OneTimeTokenField('The token from the reset link (PUBLIC_URL/reset?token=…)')
  token!: string;

  @ApiProperty({
    description: `The new password: ${PASSWORD_MIN_LENGTH} characters to ${PASSWORD_MAX_BYTES} bytes of UTF-8`,
    minLength: PASSWORD_MIN_LENGTH,
    format: 'password',
  })
  @IsString() @WellFormed() @MinLength(PASSWORD_MIN_LENGTH) @MaxBytes(PASSWORD_MAX_BYTES)
  password!: string;
}
