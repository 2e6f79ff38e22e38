import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { ProblemException } from '../problem/problem.exception';

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** Every throttler answers with a plain `Retry-After` (the library suffixes it with the throttler name). */
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ProblemException({
      status: 429,
      code: 'rate_limited',
      title: 'Too Many Requests',
      detail: `At most ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s are allowed here; retry after ${detail.timeToBlockExpire} s.`,
      headers: { 'Retry-After': String(Math.max(1, detail.timeToBlockExpire)) },
    });
  }
}
