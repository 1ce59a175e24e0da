import { ApiProperty } from '@nestjs/swagger';

/** The one answer of POST /auth/password-reset, whatever exists. */
export class ResetRequestedDto {
  @ApiProperty({
    example: 'If that account exists and has a verified e-mail address, a reset link is on its way. It works once, for 30 minutes.',
  })
  message!: string;
}
