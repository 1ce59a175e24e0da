import { ApiProperty } from '@nestjs/swagger';
import type { OwnUser } from '../user';
import { PublicUserDto } from './public-user.dto';

/** The signed-in user's own account: the public fields and the e-mail address. */
export class OwnUserDto extends PublicUserDto implements OwnUser {
  @ApiProperty({ type: 'string', nullable: true, description: 'The address given at signup or by PATCH /users/:id, or null', example: 'ada@example.org' })
  email!: string | null;

  @ApiProperty({ description: 'Whether the address was confirmed through the link mailed to it (only a verified address receives reset links)' })
  emailVerified!: boolean;
}
