import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { APP_CONFIG } from '../../config/app-config.module';
import { AppConfig } from '../../config/environment';
import { logDistinctErrors } from './log-distinct-errors';
import { RedisSubscriber } from './redis-subscriber.service';
import { REDIS_CLIENT } from './redis.tokens';

export { REDIS_CLIENT } from './redis.tokens';

/**
 * Fails fast while Redis is unreachable instead of queueing commands for ever, so a request
 * never hangs on it (a Redis that accepts but stops answering included); ioredis keeps
 * reconnecting in the background. For connections that never block: BullMQ's Worker and
 * QueueEvents need unlimited retries instead.
 */
export const FAIL_FAST_REDIS_OPTIONS: RedisOptions = {
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
};

export function createRedisClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, FAIL_FAST_REDIS_OPTIONS);
  logDistinctErrors(client, logger, 'Redis');
  return client;
}

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedisClient(config.redisUrl, new Logger('Redis')),
    },
    RedisShutdown,
    RedisSubscriber,
  ],
  exports: [REDIS_CLIENT, RedisSubscriber],
})
export class RedisModule {}
