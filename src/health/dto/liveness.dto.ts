import { ApiProperty } from '@nestjs/swagger';

/** GET /health/live. */
export class LivenessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}
