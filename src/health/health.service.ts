import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '../common/redis/redis.module';
import { DependencyCheckDto, DependencyStatus, ReadinessDto } from './health.dto';

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
export class HealthService {
  constructor(
    private readonly em: EntityManager,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async readiness(): Promise<ReadinessDto> {
    const [postgresql, redis] = await Promise.all([
      timedCheck(() => this.em.getConnection().execute('select 1')),
      timedCheck(() => this.redis.ping()),
    ]);
    const ready = postgresql.status === DependencyStatus.Up && redis.status === DependencyStatus.Up;
    return { status: ready ? 'ready' : 'not_ready', checks: { postgresql, redis } };
  }
}
