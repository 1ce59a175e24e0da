import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Length, Max, Min, MinLength } from 'class-validator';
import { MaxBytes } from '../../common/validation';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../passwords';

export class UpdateUserDto {
  @IsOptional() @IsString() @Length(1, 64)
  name?: string;

  @IsOptional() @IsString() @MinLength(PASSWORD_MIN_LENGTH) @MaxBytes(PASSWORD_MAX_BYTES)
  password?: string;

  @IsOptional() @IsString() @IsNotEmpty() @MaxBytes(PASSWORD_MAX_BYTES)
  currentPassword?: string;
}

export class ListUsersQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  page = 1;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit = 20;
}
