import { ExecutionContext, Global, Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { APP_CONFIG } from '../../config/app-config.module';
import { AppConfig } from '../../config/environment';
import { REDIS_CLIENT } from '../redis/redis.module';
import { RATE_LIMIT_POLICY, RateLimitPolicy } from './rate-limit.decorator';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitStorage } from './rate-limit.storage';

const MINUTE = 60_000;

function policyOf(context: ExecutionContext): RateLimitPolicy | undefined {
  return (
    Reflect.getMetadata(RATE_LIMIT_POLICY, context.getHandler()) ?? Reflect.getMetadata(RATE_LIMIT_POLICY, context.getClass())
  );
}

/** The signed-in user, or the client address for anonymous requests. */
function userOrAddress(request: object): string {
  const { user, ip } = request as FastifyRequest;
  return user === undefined ? `ip:${ip}` : `user:${user.id}`;
}

function loginEmail(request: object): string {
  const { body, ip } = request as FastifyRequest;
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? `email:${email.trim().toLowerCase()}` : `ip:${ip}`;
}

/**
 * The named throttlers. `default` counts every request of a client across the API; the policy
 * throttlers count only on routes that opt in with `@RateLimit(...)`, per group of routes.
 */
export function throttlers(config: AppConfig): ThrottlerOptions[] {
  const limits = config.rateLimits;
  const onlyFor = (policy: RateLimitPolicy) => (context: ExecutionContext) => policyOf(context) !== policy;
  const perController = (context: ExecutionContext, tracker: string, name: string) =>
    `${name}:${context.getClass().name}:${tracker}`;
  return [
    {
      name: 'default',
      ttl: MINUTE,
      limit: limits.defaultPerMinute,
      getTracker: userOrAddress,
      generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    },
    {
      name: 'login-ip',
      ttl: MINUTE,
      limit: limits.loginPerIpPerMinute,
      skipIf: onlyFor(RateLimitPolicy.Login),
      getTracker: (request: object) => `ip:${(request as FastifyRequest).ip}`,
      generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    },
    {
      name: 'login-email',
      ttl: MINUTE,
      limit: limits.loginPerEmailPerMinute,
      skipIf: onlyFor(RateLimitPolicy.Login),
      getTracker: loginEmail,
      generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    },
    {
      name: 'per-user',
      ttl: MINUTE,
      limit: limits.perUserPerMinute,
      skipIf: onlyFor(RateLimitPolicy.PerUser),
      getTracker: userOrAddress,
      generateKey: perController,
    },
    {
      name: 'heavy',
      ttl: MINUTE,
      limit: limits.heavyPerMinute,
      skipIf: onlyFor(RateLimitPolicy.Heavy),
      getTracker: userOrAddress,
      generateKey: perController,
    },
  ];
}

@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: throttlers(config),
        storage: new RateLimitStorage(redis, `${config.redisKeyPrefix}throttle:`, new Set(['login-ip', 'login-email'])),
      }),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
