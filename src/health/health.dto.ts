import { ApiProperty } from '@nestjs/swagger';

export enum DependencyStatus {
  Up = 'up',
  Down = 'down',
}

export class LivenessDto {
  @ApiProperty({ example: 'ok' })
  status!: 'ok';

  /** Seconds since the process started. */
  @ApiProperty({ example: 123.4 })
  uptime!: number;
}

export class DependencyCheckDto {
  @ApiProperty({ enum: DependencyStatus, enumName: 'DependencyStatus', example: DependencyStatus.Up })
  status!: DependencyStatus;

  @ApiProperty({ example: 3 })
  latencyMs!: number;

  @ApiProperty({ required: false, example: 'connect ECONNREFUSED 127.0.0.1:6379' })
  error?: string;
}

export class ReadinessChecksDto {
  @ApiProperty({ type: DependencyCheckDto })
  postgresql!: DependencyCheckDto;

  @ApiProperty({ type: DependencyCheckDto })
  redis!: DependencyCheckDto;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'not_ready'], enumName: 'ReadinessStatus', example: 'ready' })
  status!: 'ready' | 'not_ready';

  @ApiProperty({ type: ReadinessChecksDto })
  checks!: ReadinessChecksDto;
}
