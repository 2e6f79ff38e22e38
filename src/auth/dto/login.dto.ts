import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { MINIMUM_PASSWORD_LENGTH } from '../../config/environment';
import { MAXIMUM_PASSWORD_LENGTH, UserDto } from './user.dto';

export class LoginRequestDto {
  @ApiProperty({ example: 'admin@school.example', maxLength: 254 })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'change-me-please', maxLength: MAXIMUM_PASSWORD_LENGTH })
  @IsString()
  @MaxLength(MAXIMUM_PASSWORD_LENGTH)
  password!: string;
}

export class LoginResponseDto {
  /** Send as `Authorization: Bearer <accessToken>`. */
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl' })
  accessToken!: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: 'Bearer';

  /** Seconds until the token expires. */
  @ApiProperty({ type: 'integer', example: 3600 })
  expiresIn!: number;

  /** The session this token belongs to; audit rows of its login and logout carry it as resourceId. */
  @ApiProperty({ format: 'uuid', example: '5f53d218-cd18-4e8f-b37c-35f27667eb5f' })
  sessionId!: string;

  @ApiProperty({ type: UserDto })
  user!: UserDto;
}

export class ChangePasswordDto {
  @ApiProperty({ maxLength: MAXIMUM_PASSWORD_LENGTH })
  @IsString()
  @MaxLength(MAXIMUM_PASSWORD_LENGTH)
  currentPassword!: string;

  @ApiProperty({ minLength: MINIMUM_PASSWORD_LENGTH, maxLength: MAXIMUM_PASSWORD_LENGTH, example: 'a-longer-new-passphrase' })
  @IsString()
  @MinLength(MINIMUM_PASSWORD_LENGTH)
  @MaxLength(MAXIMUM_PASSWORD_LENGTH)
  newPassword!: string;
}
