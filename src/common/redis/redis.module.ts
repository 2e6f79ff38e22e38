import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG } from '../../config/app-config.module';
import { AppConfig } from '../../config/environment';

/** Injection token of the shared ioredis connection. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * Fails fast while Redis is unreachable instead of queueing commands for ever, so a request
 * never hangs on it; ioredis keeps reconnecting in the background.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let lastLoggedError = '';
  client.on('error', (error: Error) => {
    // One line per distinct failure, not one per reconnection attempt.
    if (error.message !== lastLoggedError) logger.error(`Redis: ${error.message}`);
    lastLoggedError = error.message;
  });
  client.on('ready', () => {
    lastLoggedError = '';
  });
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
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
