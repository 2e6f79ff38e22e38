import { applyDecorators, SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiExtension } from '@nestjs/swagger';

/** The rate-limit policies a route can opt into, on top of the default limit every route has. */
export enum RateLimitPolicy {
  /** Sign-in: per client IP and per email address. */
  Login = 'login',
  /** Jobs and audit: 100 requests a minute per user (per IP when anonymous). */
  PerUser = 'per_user',
  /** Imports and exports: a lower limit per user. */
  Heavy = 'heavy',
}

export const RATE_LIMIT_POLICY = 'rateLimit:policy';
/** Value of the spec's `x-rate-limit-policy` on routes without any limit. */
export const NO_RATE_LIMIT = 'none';

/** Applies a named rate-limit policy and documents it (and its 429 answer) in the spec. */
export function RateLimit(policy: RateLimitPolicy): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(RATE_LIMIT_POLICY, policy),
    ApiExtension('x-rate-limit-policy', policy),
  );
}

/** Exempts a route from every limit (health probes must never be refused), and says so in the spec. */
export function NoRateLimit(): MethodDecorator & ClassDecorator {
  return applyDecorators(SkipThrottle({ default: true }), ApiExtension('x-rate-limit-policy', NO_RATE_LIMIT));
}
