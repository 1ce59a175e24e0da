import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Length, Matches, Max, Min, MinLength } from 'class-validator';
import { MaxBytes, NO_CONTROL_CHARACTERS, OptionalField, WellFormed } from '../../common/validation';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../passwords';

export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'New display name', minLength: 1, maxLength: 64, example: 'Ada King' })
  @OptionalField() @IsString() @WellFormed() @Length(1, 64)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'name must not contain control characters' })
  name?: string;

  @ApiPropertyOptional({
    description: `New password (${PASSWORD_MIN_LENGTH} characters to ${PASSWORD_MAX_BYTES} bytes of UTF-8); needs currentPassword and ends every other session`,
    minLength: PASSWORD_MIN_LENGTH,
    format: 'password',
  })
  @OptionalField() @IsString() @WellFormed() @MinLength(PASSWORD_MIN_LENGTH) @MaxBytes(PASSWORD_MAX_BYTES)
  password?: string;

  @ApiPropertyOptional({ description: 'The current password; required with password', format: 'password' })
  @OptionalField() @IsString() @IsNotEmpty() @WellFormed() @MaxBytes(PASSWORD_MAX_BYTES)
  currentPassword?: string;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  page = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Users per page' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit = 20;
}
