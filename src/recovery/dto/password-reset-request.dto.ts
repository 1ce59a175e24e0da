import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { OptionalField, WellFormed } from '../../common/validation';
import { OptionalEmailField } from '../../users/dto/email-field';

/** POST /auth/password-reset: exactly one of the two (checked by the service, which names both). */
export class PasswordResetRequestDto {
  @ApiPropertyOptional({ description: 'Login name, in any case', maxLength: 64, example: 'ada' })
  @OptionalField() @IsString() @IsNotEmpty() @WellFormed() @MaxLength(64)
  username?: string;

  @OptionalEmailField('The verified address of the account')
  email?: string;
}
