import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorDto } from '../common/dto/error.dto';
import { LivenessDto } from './dto/liveness.dto';
import { ReadinessDto } from './dto/readiness.dto';

/** OpenAPI descriptions of HealthController's routes. */
export const HealthDocs = {
  live: () =>
    applyDecorators(
      ApiOperation({ summary: 'Liveness: the process answers', description: 'Does not touch the store.' }),
      ApiOkResponse({ type: LivenessDto }),
    ),

  /**
   * Goes above @HealthCheck(): terminus documents 200 and 503 itself when it can load
   * @nestjs/swagger (not under jest), and these schemas replace its own. Its 503 body is not what
   * clients get: our error filter answers `{ statusCode, error, message }`.
   */
  readiness: () =>
    applyDecorators(
      ApiOperation({ summary: 'Readiness: the store answers a ping within 2 s' }),
      ApiExtraModels(ReadinessDto, ErrorDto),
      ApiOkResponse({ description: 'The store answers', schema: { $ref: getSchemaPath(ReadinessDto) } }),
      ApiServiceUnavailableResponse({ description: 'The store did not answer in time', schema: { $ref: getSchemaPath(ErrorDto) } }),
    ),
};
