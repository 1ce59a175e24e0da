import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Length, MinLength } from 'class-validator';
import { PlainText, MaxBytes, OptionalField, WellFormed } from '../../common/validation';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../passwords';
import { OptionalEmailField } from './email-field';

export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'New display name', minLength: 1, maxLength: 64, example: 'Ada King' })
  @OptionalField() @IsString() @WellFormed() @Length(1, 64) @PlainText()
  name?: string;

  @ApiPropertyOptional({
    description: `New password (${PASSWORD_MIN_LENGTH} characters to ${PASSWORD_MAX_BYTES} bytes of UTF-8); needs a recent sign-in or currentPassword, and ends every other session`,
    minLength: PASSWORD_MIN_LENGTH,
    format: 'password',
  })
  @OptionalField() @IsString() @WellFormed() @MinLength(PASSWORD_MIN_LENGTH) @MaxBytes(PASSWORD_MAX_BYTES)
  password?: string;

  @OptionalEmailField('New e-mail address; needs a recent sign-in or currentPassword. It is unverified until the link mailed to it is opened')
  email?: string;

  @ApiPropertyOptional({ description: 'The current password: needed with password or email unless the session signed in within REAUTH_MAX_AGE (see POST /auth/reauth)', format: 'password' })
  @OptionalField() @IsString() @IsNotEmpty() @WellFormed() @MaxBytes(PASSWORD_MAX_BYTES)
  currentPassword?: string;
}
