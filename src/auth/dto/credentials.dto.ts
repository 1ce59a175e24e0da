import { IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { MaxBytes } from '../../common/validation';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../../users/passwords';
import { USERNAME_PATTERN } from '../../users/username';

export class SignupDto {
  @IsString() @Matches(USERNAME_PATTERN, { message: 'username must be 3-32 letters, digits, ".", "_" or "-"' })
  username!: string;

  @IsString() @MinLength(PASSWORD_MIN_LENGTH) @MaxBytes(PASSWORD_MAX_BYTES)
  password!: string;

  @IsOptional() @IsString() @Length(1, 64)
  name?: string;
}

export class LoginDto {
  @IsString() @IsNotEmpty() @MaxLength(64)
  username!: string;

  @IsString() @IsNotEmpty() @MaxBytes(PASSWORD_MAX_BYTES)
  password!: string;
}
