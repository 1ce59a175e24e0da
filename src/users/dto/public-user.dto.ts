import { ApiProperty } from '@nestjs/swagger';
import type { OwnUser, PublicUser } from '../user';
import type { PublicUserPage } from '../users.service';

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

/** The signed-in user's own account: the public fields and the e-mail address. */
export class OwnUserDto extends PublicUserDto implements OwnUser {
  @ApiProperty({ type: 'string', nullable: true, description: 'The address given at signup or by PATCH /users/:id, or null', example: 'ada@example.org' })
  email!: string | null;

  @ApiProperty({ description: 'Whether the address was confirmed through the link mailed to it (only a verified address receives reset links)' })
  emailVerified!: boolean;
}

export class UserPageDto implements PublicUserPage {
  @ApiProperty({ type: [PublicUserDto] })
  items!: PublicUserDto[];

  @ApiProperty({ description: 'Users in all pages', example: 42 })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  limit!: number;
}
