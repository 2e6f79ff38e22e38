import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../common/problem/dependency-outage';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { NoRateLimit } from '../common/rate-limit/rate-limit.decorator';
import { ProblemException } from '../common/problem/problem.exception';
import { DependencyCheckDto, DependencyStatus, LivenessDto, ReadinessDto } from './health.dto';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
@Public()
@NoRateLimit()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: answers while the process runs', description: 'Needs no token and checks nothing outside the process.' })
  @ApiOkResponse({ type: LivenessDto })
  getLiveness(): LivenessDto {
    return { status: 'ok', uptime: Math.round(process.uptime() * 10) / 10 };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis both answer', description: 'Needs no token; 503 while either does not answer. `checks.durability` warns when Redis can lose jobs.' })
  @ApiOkResponse({ type: ReadinessDto })
  @ProblemResponses(503)
  async getReadiness(): Promise<ReadinessDto> {
    const readiness = await this.health.readiness();
    if (readiness.status === 'ready') return readiness;
    const { postgresql, redis } = readiness.checks;
    const dependencies: [string, DependencyCheckDto][] = [
      ['PostgreSQL', postgresql],
      ['Redis', redis],
    ];
    const down = dependencies.filter(([, check]) => check.status === DependencyStatus.Down).map(([name, check]) => `${name} (${check.error})`);
    throw new ProblemException({
      status: 503,
      code: 'dependency_unavailable',
      title: 'Service Unavailable',
      detail: `Not ready: ${down.join(', ')} unavailable.`,
      extensions: { checks: readiness.checks },
      headers: { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) },
    });
  }
}
