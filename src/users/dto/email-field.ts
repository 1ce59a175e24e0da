import { ApiPropertyOptional } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength } from 'class-validator';
import { OptionalField } from '../../common/validation';
import { EMAIL_MAX_LENGTH, EMAIL_PATTERN } from '../email';

/** An optional e-mail address field, with the one rule for what an address may look like (users/email.ts). */
export const OptionalEmailField = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description, maxLength: EMAIL_MAX_LENGTH, format: 'email', example: 'ada@example.org' }),
    OptionalField(),
    IsString(),
    MaxLength(EMAIL_MAX_LENGTH, { message: `email must be at most ${EMAIL_MAX_LENGTH} characters` }),
    Matches(EMAIL_PATTERN, { message: 'email must be one plain address such as ada@example.org (no spaces, line breaks, quotes or display name)' }),
  );
