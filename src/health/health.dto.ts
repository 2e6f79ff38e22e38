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

export enum DurabilityStatus {
  Ok = 'ok',
  Warning = 'warning',
  Unknown = 'unknown',
}

/**
 * Whether the Redis in use keeps jobs across its restart and never evicts them. A warning, not a
 * failure: readiness does not depend on it.
 */
export class DurabilityCheckDto {
  /** `warning`: jobs can be lost (see `warnings`); `unknown`: the settings cannot be read (CONFIG disabled, or Redis down). */
  @ApiProperty({ enum: DurabilityStatus, enumName: 'DurabilityStatus', example: DurabilityStatus.Warning })
  status!: DurabilityStatus;

  @ApiProperty({ type: [String], example: ['Redis persists nothing (appendonly no, no save points): every job is lost when Redis restarts.'] })
  warnings!: string[];
}

export class ReadinessChecksDto {
  @ApiProperty({ type: DependencyCheckDto })
  postgresql!: DependencyCheckDto;

  @ApiProperty({ type: DependencyCheckDto })
  redis!: DependencyCheckDto;

  @ApiProperty({ type: DurabilityCheckDto })
  durability!: DurabilityCheckDto;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'not_ready'], enumName: 'ReadinessStatus', example: 'ready' })
  status!: 'ready' | 'not_ready';

  @ApiProperty({ type: ReadinessChecksDto })
  checks!: ReadinessChecksDto;
}
