import { ApiProperty } from '@nestjs/swagger';
import type { PublicUserPage } from '../users.service';
import { PublicUserDto } from './public-user.dto';

/** One page of GET /users. */
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
