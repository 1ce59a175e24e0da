import { ApiProperty } from '@nestjs/swagger';

export class CsrfTokenDto {
  @ApiProperty({ description: 'Send back in the X-CSRF-Token header (forms: the _csrf field)', example: '3f1c…e9.8a27…40' })
  csrfToken!: string;
}
