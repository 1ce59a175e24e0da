import { ApiProperty } from '@nestjs/swagger';

/** One live session (one login on one device), as GET /auth/sessions lists it. */
export class SessionDto {
  @ApiProperty({ format: 'uuid', description: 'Session id, for DELETE /auth/sessions/{id}' })
  id!: string;

  @ApiProperty({ format: 'date-time', description: 'When the login happened' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Latest login or refresh' })
  lastUsedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Idle expiry: slides with each refresh, never past the absolute session lifetime' })
  expiresAt!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64)' })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  @ApiProperty({ description: 'True for the session this request was made with' })
  current!: boolean;
}
