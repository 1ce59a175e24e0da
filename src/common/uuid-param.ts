import { NotFoundException, ParseUUIDPipe } from '@nestjs/common';

/** Ids are UUIDs in every store: anything else cannot name a resource, so it is simply not found. */
export const uuidParam = (notFound: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException(notFound) });
