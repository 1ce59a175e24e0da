import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { MaxBytes, WellFormed } from '../../common/validation';
import { PASSWORD_MAX_BYTES } from '../../users/passwords';

/** POST /auth/login and the login form: any text up to the limits, so a wrong shape is just a failed login. */
export class LoginDto {
  @ApiProperty({ description: 'Login name, in any case', maxLength: 64, example: 'ada' })
  @IsString() @IsNotEmpty() @WellFormed() @MaxLength(64)
  username!: string;

  @ApiProperty({ description: `At most ${PASSWORD_MAX_BYTES} bytes of UTF-8`, format: 'password', example: 'correct horse battery' })
  @IsString() @IsNotEmpty() @WellFormed() @MaxBytes(PASSWORD_MAX_BYTES)
  password!: string;
}
