import { ApiProperty } from '@nestjs/swagger';
import type { PublicUser } from '../user';

/** What any signed-in caller may see of a user: never the password hash or a token. */
export class PublicUserDto implements PublicUser {
  @ApiProperty({ format: 'uuid', example: '7d1c1b9e-2f4a-4c55-9a57-0a4f0f4c2b11' })
  id!: string;

  @ApiProperty({ description: 'Login name, stored lower-cased (unique)', example: 'ada' })
  username!: string;

  @ApiProperty({ description: 'Display name', example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
