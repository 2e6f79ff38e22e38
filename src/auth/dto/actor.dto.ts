import { ApiProperty } from '@nestjs/swagger';

/** A user as a record remembers them: who took a backup, who committed a bulk change. The email is the one they had then. */
export class ActorDto {
  @ApiProperty({ format: 'uuid', example: '0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21' })
  id!: string;

  @ApiProperty({ example: 'admin@school.example' })
  email!: string;

  static of(user: { id: string; email: string }): ActorDto {
    return { id: user.id, email: user.email };
  }
}
