import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** POST /auth/login/mfa and the second-step form: one of the two proofs. */
export class SecondStepDto {
  @ApiPropertyOptional({ description: 'The 6-digit code the authenticator app shows now', example: '123456' })
  @IsOptional() @IsString() @Matches(/^\d{6}$/, { message: 'code must be the 6 digits your authenticator app shows' })
  code?: string;

  @ApiPropertyOptional({ description: 'One of the recovery codes shown when the second step was turned on (case, spaces and dashes do not matter)', example: 'abcd-efgh-jk01' })
  @IsOptional() @IsString() @MaxLength(32)
  recoveryCode?: string;
}
