import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** POST /auth/login/mfa and the second-step form: one of the two proofs. */
export class SecondStepDto {
  @ApiPropertyOptional({ description: 'The 6-digit code the authenticator app shows now', example: '123456' })
  @IsOptional() @IsString() @Matches(/^\d{6}$/, { message: 'code must be the 6 digits your authenticator app shows' })
  code?: string;

  @ApiPropertyOptional({ description: 'One of the recovery codes shown when the second step was turned on (case, spaces and dashes do not matter)', example: 'abcd-efgh-jk01' })
  @IsOptional() @IsString() @MaxLength(32)
  recoveryCode?: string;

  @ApiPropertyOptional({ description: 'Skip the second step on this browser (its device cookie) for MFA_REMEMBER_DEVICE', default: false })
  // A checkbox posts "on"; JSON sends true or false.
  @IsOptional() @Transform(({ value }) => (value === 'on' || value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean()
  rememberDevice?: boolean;
}
