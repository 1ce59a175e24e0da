import { applyDecorators } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiSignedIn, ApiStateChanging } from '../common/api-responses';
import { ErrorDto } from '../common/dto/error.dto';
import { SessionDto } from './dto/session.dto';

/** OpenAPI descriptions of SessionsController's routes, one decorator each. */
export const SessionsDocs = {
  list: () =>
    applyDecorators(
      ApiOperation({ summary: "The signed-in user's live sessions", description: 'One per login (device); `current` marks the one of this request.' }),
      ApiSignedIn(),
      ApiOkResponse({ type: [SessionDto] }),
    ),

  revoke: () =>
    applyDecorators(
      ApiOperation({
        summary: 'Revoke one of your sessions',
        description: 'Signs that device out at once. Revoking the session of this request also clears the cookie.',
      }),
      ApiParam({ name: 'id', format: 'uuid', description: 'Session id from GET /auth/sessions' }),
      ApiSignedIn(),
      ApiNoContentResponse({ description: 'Revoked' }),
      ApiNotFoundResponse({ type: ErrorDto, description: "`No such session`: unknown, already ended, or someone else's" }),
      ApiStateChanging(),
    ),
};
