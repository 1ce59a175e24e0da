import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { MaxBytes, OptionalField, WellFormed } from '../../common/validation';
import { PASSWORD_MAX_BYTES } from '../passwords';

/** DELETE /users/:id may carry the current password instead of a recent sign-in. */
export class DeleteUserDto {
  @ApiPropertyOptional({
    description: 'The current password: needed unless the session signed in within REAUTH_MAX_AGE (see POST /auth/reauth)',
    format: 'password',
  })
  @OptionalField() @IsString() @IsNotEmpty() @WellFormed() @MaxBytes(PASSWORD_MAX_BYTES)
  currentPassword?: string;
}
