import { ApiProperty } from '@nestjs/swagger';
import { OwnUserDto } from '../../users/dto/own-user.dto';

/** Signup, login and refresh answer with the user; the tokens travel only in the cookie. */
export class UserResponseDto {
  @ApiProperty({ type: OwnUserDto })
  user!: OwnUserDto;
}
