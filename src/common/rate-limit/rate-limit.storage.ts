import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import { ProblemException } from '../problem/problem.exception';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Redis-backed counters shared by every API process. When Redis is unreachable the login limits
 * fail closed (503: brute force must not get through) and the others fail open, logged, so that
 * a Redis outage does not take down routes that do not need Redis.
 */
export class RateLimitStorage implements ThrottlerStorage {
  private readonly redisStorage: ThrottlerStorageRedisService;
  private readonly logger = new Logger('RateLimit');

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    private readonly failClosedThrottlers: ReadonlySet<string>,
  ) {
    this.redisStorage = new ThrottlerStorageRedisService(redis);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    try {
      return await this.redisStorage.increment(`${this.keyPrefix}${key}`, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      this.logger.error(`Rate-limit counter unavailable for "${throttlerName}": ${(error as Error).message}`);
      if (this.failClosedThrottlers.has(throttlerName)) {
        throw new ProblemException({
          status: 503,
          code: 'rate_limit_unavailable',
          title: 'Service Unavailable',
          detail: 'Sign-in is paused while the rate-limit store is unreachable; retry shortly.',
          headers: { 'Retry-After': '5' },
        });
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
