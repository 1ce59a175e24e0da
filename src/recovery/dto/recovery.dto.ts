import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ONE_TIME_TOKEN_PATTERN } from '../../auth/tokens/one-time-tokens';
import { MaxBytes, OptionalField, WellFormed } from '../../common/validation';
import { OptionalEmailField } from '../../users/dto/email-field';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../../users/passwords';

const TOKEN_MESSAGE = 'token must be the 43-character token from the link in the mail';

/** POST /auth/password-reset: exactly one of the two (checked by the service, which names both). */
export class PasswordResetRequestDto {
  @ApiPropertyOptional({ description: 'Login name, in any case', maxLength: 64, example: 'ada' })
  @OptionalField() @IsString() @IsNotEmpty() @WellFormed() @MaxLength(64)
  username?: string;

  @OptionalEmailField('The verified address of the account')
  email?: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ description: 'The token from the reset link (PUBLIC_URL/reset?token=…)', pattern: ONE_TIME_TOKEN_PATTERN.source })
  @IsString() @Matches(ONE_TIME_TOKEN_PATTERN, { message: TOKEN_MESSAGE })
  token!: string;

  @ApiProperty({
    description: `The new password: ${PASSWORD_MIN_LENGTH} characters to ${PASSWORD_MAX_BYTES} bytes of UTF-8`,
    minLength: PASSWORD_MIN_LENGTH,
    format: 'password',
  })
  @IsString() @WellFormed() @MinLength(PASSWORD_MIN_LENGTH) @MaxBytes(PASSWORD_MAX_BYTES)
  password!: string;
}

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the verification link (PUBLIC_URL/verify?token=…)', pattern: ONE_TIME_TOKEN_PATTERN.source })
  @IsString() @Matches(ONE_TIME_TOKEN_PATTERN, { message: TOKEN_MESSAGE })
  token!: string;
}

export class ResetRequestedDto {
  @ApiProperty({
    example: 'If that account exists and has a verified e-mail address, a reset link is on its way. It works once, for 30 minutes.',
  })
  message!: string;
}
