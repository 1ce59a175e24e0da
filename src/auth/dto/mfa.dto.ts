import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { MaxBytes, WellFormed } from '../../common/validation';
import { OwnUserDto } from '../../users/dto/own-user.dto';
import { PASSWORD_MAX_BYTES } from '../../users/passwords';

/** Turning a factor on or off, or new recovery codes: a recent sign-in, or the current password now. */
export class FactorChangeDto {
  @ApiPropertyOptional({ description: 'The current password, when the sign-in is not recent (REAUTH_MAX_AGE)', format: 'password' })
  @IsOptional() @IsString() @IsNotEmpty() @WellFormed() @MaxBytes(PASSWORD_MAX_BYTES)
  currentPassword?: string;
}

/** POST /auth/mfa/totp/confirm. */
export class TotpConfirmDto {
  @ApiProperty({ description: 'The 6-digit code the authenticator app shows for the new secret', example: '123456' })
  @IsString() @Matches(/^\d{6}$/, { message: 'code must be the 6 digits your authenticator app shows' })
  code!: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ description: 'The new secret in base32, for typing into the app by hand (shown once; never returned again)', example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' })
  secret!: string;

  @ApiProperty({ description: 'otpauth://totp/… URI for a QR code (SHA-1, 6 digits, 30 s; issuer APP_NAME)', example: 'otpauth://totp/Nest%20Cookie%20Auth:ada?issuer=Nest%20Cookie%20Auth&secret=…&algorithm=SHA1&digits=6&period=30' })
  uri!: string;
}

export class RecoveryCodesDto {
  @ApiProperty({ type: [String], description: 'Ten single-use recovery codes, shown this once; keep them somewhere safe', example: ['abcd-efgh-jk01'] })
  recoveryCodes!: string[];
}

export class MfaRequiredDto {
  @ApiProperty({ enum: [true] })
  mfaRequired!: true;

  @ApiProperty({ type: [String], enum: ['totp', 'recovery-code'], description: 'The second steps POST /auth/login/mfa takes for this account' })
  methods!: string[];
}

export class MfaStatusDto {
  @ApiProperty({ description: 'An authenticator app is on' })
  totp!: boolean;

  @ApiProperty({ description: 'Passkeys registered' })
  passkeys!: number;

  @ApiProperty({ description: 'Unused recovery codes' })
  recoveryCodesLeft!: number;
}

/** GET /auth/me: the own account and its second factors. */
export class MeDto extends OwnUserDto {
  @ApiProperty({ type: MfaStatusDto })
  mfa!: MfaStatusDto;
}
