import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { MaxBytes, WellFormed } from '../../common/validation';
import { PASSWORD_MAX_BYTES } from '../../users/passwords';

/** POST /auth/reauth: the signed-in user's password, proved again. */
export class ReauthDto {
  @ApiProperty({ description: `The current password (at most ${PASSWORD_MAX_BYTES} bytes of UTF-8)`, format: 'password', example: 'correct horse battery' })
  @IsString() @IsNotEmpty() @WellFormed() @MaxBytes(PASSWORD_MAX_BYTES)
  password!: string;
}
