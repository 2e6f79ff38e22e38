import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsEnum, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { MINIMUM_PASSWORD_LENGTH } from '../../config/environment';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { toBoolean, toTrimmedLowercase } from '../../common/validation/transforms';
import { Role } from '../role.enum';
import { User } from '../user.entity';

export const MAXIMUM_PASSWORD_LENGTH = 256;

export class UserDto {
  @ApiProperty({ format: 'uuid', example: '0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21' })
  id!: string;

  @ApiProperty({ example: 'secretary@school.example' })
  email!: string;

  @ApiProperty({ enum: Role, enumName: 'Role', example: Role.Staff })
  role!: Role;

  @ApiProperty({ example: true })
  isActive!: boolean;

  @ApiProperty({ example: '2026-09-01T08:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ example: '2026-09-01T08:00:00.000Z' })
  updatedAt!: Date;

  static from(user: User): UserDto {
    return {
      id: user.id,
      email: user.email,
      role: user.role,
      isActive: user.isActive,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }
}

export const UserPageDto = PageOf(UserDto, 'UserPage');

export class CreateUserDto {
  @ApiProperty({ example: 'secretary@school.example', maxLength: 254 })
  @Transform(toTrimmedLowercase)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: MINIMUM_PASSWORD_LENGTH, maxLength: MAXIMUM_PASSWORD_LENGTH, example: 'correct-horse-battery' })
  @IsString()
  @MinLength(MINIMUM_PASSWORD_LENGTH)
  @MaxLength(MAXIMUM_PASSWORD_LENGTH)
  password!: string;

  @ApiProperty({ enum: Role, enumName: 'Role', example: Role.Staff })
  @IsEnum(Role)
  role!: Role;
}

/** Every field is optional; a new password or disabling the account signs the user out everywhere. */
export class UpdateUserDto {
  @ApiPropertyOptional({ enum: Role, enumName: 'Role', example: Role.Auditor })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ minLength: MINIMUM_PASSWORD_LENGTH, maxLength: MAXIMUM_PASSWORD_LENGTH })
  @IsOptional()
  @IsString()
  @MinLength(MINIMUM_PASSWORD_LENGTH)
  @MaxLength(MAXIMUM_PASSWORD_LENGTH)
  password?: string;
}

export class UserListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: Role, enumName: 'Role', description: 'Only users with this role.' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({ type: Boolean, description: 'true: only active users; false: only deactivated ones.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  isActive?: boolean;

  /** Part of the email address, case-insensitive. */
  @ApiPropertyOptional({ maxLength: 254 })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @Type(() => String)
  search?: string;
}
