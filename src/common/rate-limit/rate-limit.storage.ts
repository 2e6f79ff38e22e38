import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { ProblemException } from '../problem/problem.exception';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One counter to bump: a throttler's key for this request, with its window and limit (ms). */
export interface CounterCheck {
  name: string;
  key: string;
  ttl: number;
  limit: number;
  blockDuration: number;
}

/**
 * Fixed-window counters for every given key in one round trip. Per key: count the hit, start the
 * window on the first one, and block for blockDuration once the limit is passed.
 * KEYS: hits, blocked (per check). ARGV: ttl, limit, blockDuration (per check).
 * Returns, per check: hits, ms to window end, blocked (0/1), ms to unblock.
 */
const INCREMENT_ALL = `
local results = {}
for i = 1, #KEYS / 2 do
  local hitKey, blockKey = KEYS[i * 2 - 1], KEYS[i * 2]
  local ttl, limit, blockDuration = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  local hits = redis.call('INCR', hitKey)
  local toExpire = redis.call('PTTL', hitKey)
  if toExpire <= 0 then
    redis.call('PEXPIRE', hitKey, ttl)
    toExpire = ttl
  end
  local toUnblock = redis.call('PTTL', blockKey)
  local blocked = 0
  if toUnblock > 0 then
    blocked = 1
  elseif hits > limit then
    redis.call('SET', blockKey, 1, 'PX', blockDuration)
    blocked = 1
    toUnblock = blockDuration
  else
    toUnblock = 0
  end
  table.insert(results, hits)
  table.insert(results, toExpire)
  table.insert(results, blocked)
  table.insert(results, toUnblock)
end
return results
`;

interface CounterCommands {
  incrementRateLimitCounters(...keysThenArgs: (string | number)[]): Promise<number[]>;
}

/**
 * Redis-backed counters shared by every API process. When Redis is unreachable the login limits
 * fail closed (503: brute force must not get through) and the others fail open, logged, so that
 * a Redis outage does not take down routes that do not need Redis.
 */
export class RateLimitStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis & CounterCommands;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    private readonly failClosedThrottlers: ReadonlySet<string>,
  ) {
    if (!('incrementRateLimitCounters' in redis)) redis.defineCommand('incrementRateLimitCounters', { lua: INCREMENT_ALL });
    this.redis = redis as Redis & CounterCommands;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    const [record] = await this.incrementAll([{ name: throttlerName, key, ttl, limit, blockDuration }]);
    return record;
  }

  /** Every throttler of a request in one round trip (the largest per-request cost was one per throttler). */
  async incrementAll(checks: CounterCheck[]): Promise<StorageRecord[]> {
    const keys = checks.flatMap((check) => [`${this.keyPrefix}${check.key}:hits`, `${this.keyPrefix}${check.key}:blocked`]);
    const limits = checks.flatMap((check) => [check.ttl, check.limit, check.blockDuration]);
    try {
      const reply = await this.redis.incrementRateLimitCounters(keys.length, ...keys, ...limits);
      return checks.map((_check, index) => {
        const [hits, toExpire, blocked, toUnblock] = reply.slice(index * 4, index * 4 + 4);
        return {
          totalHits: hits,
          timeToExpire: Math.ceil(toExpire / 1000),
          isBlocked: blocked === 1,
          timeToBlockExpire: Math.ceil(toUnblock / 1000),
        };
      });
    } catch (error) {
      const names = checks.map((check) => check.name);
      this.logger.error(`Rate-limit counters unavailable for ${names.join(', ')}: ${(error as Error).message}`);
      if (names.some((name) => this.failClosedThrottlers.has(name))) {
        throw new ProblemException({
          status: 503,
          code: 'rate_limit_unavailable',
          title: 'Service Unavailable',
          detail: 'Sign-in is paused while the rate-limit store is unreachable; retry shortly.',
          headers: { 'Retry-After': '5' },
        });
      }
      return checks.map(() => ({ totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 }));
    }
  }
}
