import { ApiProperty } from '@nestjs/swagger';
import type { ErrorBody } from '../http-error.filter';

/** The one error shape every failure has (HttpErrorFilter), as the OpenAPI document shows it. */
export class ErrorDto implements ErrorBody {
  @ApiProperty({ description: 'The HTTP status, repeated', example: 400 })
  statusCode!: number;

  @ApiProperty({ description: "The status's standard reason phrase", example: 'Bad Request' })
  error!: string;

  @ApiProperty({ description: 'What went wrong, written for a person to act on', example: 'password must be longer than or equal to 8 characters' })
  message!: string;
}
