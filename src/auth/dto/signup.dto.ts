import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches, MinLength } from 'class-validator';
import { PlainText, MaxBytes, OptionalField, WellFormed } from '../../common/validation';
import { OptionalEmailField } from '../../users/dto/email-field';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../../users/passwords';
import { USERNAME_PATTERN } from '../../users/username';

/** POST /auth/signup and the signup form. */
export class SignupDto {
  @ApiProperty({ description: 'Login name; case-insensitive (stored lower-cased)', pattern: USERNAME_PATTERN.source, example: 'ada' })
  @IsString() @Matches(USERNAME_PATTERN, { message: 'username must be 3-32 letters, digits, ".", "_" or "-"' })
  username!: string;

  @ApiProperty({
    description: `${PASSWORD_MIN_LENGTH} characters to ${PASSWORD_MAX_BYTES} bytes of UTF-8 (longer is refused, never truncated)`,
    minLength: PASSWORD_MIN_LENGTH,
    format: 'password',
    example: 'correct horse battery',
  })
  @IsString() @WellFormed() @MinLength(PASSWORD_MIN_LENGTH) @MaxBytes(PASSWORD_MAX_BYTES)
  password!: string;

  @ApiPropertyOptional({ description: 'Display name; defaults to the username', minLength: 1, maxLength: 64, example: 'Ada Lovelace' })
  @OptionalField() @IsString() @WellFormed() @Length(1, 64) @PlainText()
  name?: string;

  @OptionalEmailField('E-mail address for password resets; unverified until the link mailed to it is opened. The answer is the same whether or not another account uses it')
  email?: string;
}
