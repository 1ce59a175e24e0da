import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { ONE_TIME_TOKEN_PATTERN } from '../../auth/tokens/one-time-tokens';

/** The `token` of a reset or verification link, as the mail gave it. */
export const OneTimeTokenField = (description: string) =>
  applyDecorators(
    ApiProperty({ description, pattern: ONE_TIME_TOKEN_PATTERN.source }),
    IsString(),
    Matches(ONE_TIME_TOKEN_PATTERN, { message: 'token must be the 43-character token from the link in the mail' }),
  );
