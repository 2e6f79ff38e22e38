import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '../common/redis/redis.module';
import { DependencyCheckDto, DependencyStatus, DurabilityCheckDto, DurabilityStatus, ReadinessDto } from './health.dto';
import { checkRedisDurability } from './redis-durability';

const CHECK_TIMEOUT_MS = 2_000;

async function timedCheck(probe: () => Promise<unknown>): Promise<DependencyCheckDto> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: DependencyStatus.Up, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: DependencyStatus.Down, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class HealthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HealthService.name);

  constructor(
    private readonly em: EntityManager,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  /** Tells the operator at start (or once Redis first answers) when the Redis in use can lose jobs. */
  onApplicationBootstrap(): void {
    if (this.redis.status === 'ready') this.reportDurability();
    else this.redis.once('ready', this.reportDurability);
  }

  async readiness(): Promise<ReadinessDto> {
    const [postgresql, redis, durability] = await Promise.all([
      timedCheck(() => this.em.getConnection().execute('select 1')),
      timedCheck(() => this.redis.ping()),
      checkRedisDurability(this.redis),
    ]);
    const ready = postgresql.status === DependencyStatus.Up && redis.status === DependencyStatus.Up;
    return { status: ready ? 'ready' : 'not_ready', checks: { postgresql, redis, durability } };
  }

  onApplicationShutdown(): void {
    this.redis.off('ready', this.reportDurability);
  }

  private readonly reportDurability = (): void => {
    checkRedisDurability(this.redis)
      .then((durability: DurabilityCheckDto) => {
        if (durability.status === DurabilityStatus.Ok) this.logger.log('Redis keeps jobs across a restart and never evicts them');
        else for (const warning of durability.warnings) this.logger.warn(`Job durability: ${warning}`);
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'Could not report the durability of Redis'));
  };
}
