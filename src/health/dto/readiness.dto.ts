import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const INDICATORS = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { status: { type: 'string', example: 'up' } }, additionalProperties: true },
  example: { store: { status: 'up', responseTime: 1 } },
} as const;

/** @nestjs/terminus' health-check result, as GET /health answers when the store is up. */
export class ReadinessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiPropertyOptional({ ...INDICATORS, description: 'Indicators that are up' })
  info?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: {}, description: 'Indicators that are down' })
  error?: Record<string, unknown>;

  @ApiProperty({ ...INDICATORS, description: 'Every indicator' })
  details!: Record<string, unknown>;
}
