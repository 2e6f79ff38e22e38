import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerOptions } from '@nestjs/throttler';
import { ProblemException } from '../problem/problem.exception';
import { CounterCheck, RateLimitStorage } from './rate-limit.storage';

/** The metadata key `@SkipThrottle()` writes, followed by the throttler's name; the package does not export it. */
export const THROTTLER_SKIP = 'THROTTLER:SKIP';

function numberOf(value: ThrottlerOptions['limit'], what: string): number {
  if (typeof value !== 'number') throw new Error(`Rate-limit ${what} must be a number in this service's throttler configuration`);
  return value;
}

/**
 * The throttler guard, checking every applicable throttler of a request in one Redis round trip,
 * setting the X-RateLimit headers as @nestjs/throttler does, and answering a plain `Retry-After`
 * (the library suffixes it with the throttler's name).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const { req, res } = this.getRequestResponse(context);
    const targets = [context.getHandler(), context.getClass()];
    const checks: CounterCheck[] = [];
    for (const throttler of this.throttlers) {
      const name = throttler.name ?? 'default';
      if (this.reflector.getAllAndOverride<boolean>(THROTTLER_SKIP + name, targets) === true) continue;
      if ((throttler.skipIf ?? this.commonOptions.skipIf)?.(context) === true) continue;
      const tracker = await (throttler.getTracker ?? this.commonOptions.getTracker)!(req, context);
      const ttl = numberOf(throttler.ttl, 'ttl');
      checks.push({
        name,
        key: (throttler.generateKey ?? this.commonOptions.generateKey)!(context, tracker, name),
        ttl,
        limit: numberOf(throttler.limit, 'limit'),
        blockDuration: throttler.blockDuration === undefined ? ttl : numberOf(throttler.blockDuration, 'blockDuration'),
      });
    }
    if (checks.length === 0) return true;

    const records = await (this.storageService as RateLimitStorage).incrementAll(checks);
    let retryAfter = 0;
    let exceeded: CounterCheck | undefined;
    records.forEach((record, index) => {
      const check = checks[index];
      if (record.isBlocked) {
        retryAfter = Math.max(retryAfter, record.timeToBlockExpire);
        exceeded ??= check;
        return;
      }
      const suffix = check.name === 'default' ? '' : `-${check.name}`;
      this.setResponseHeader(res, `${this.headerPrefix}-Limit${suffix}`, check.limit);
      this.setResponseHeader(res, `${this.headerPrefix}-Remaining${suffix}`, Math.max(0, check.limit - record.totalHits));
      this.setResponseHeader(res, `${this.headerPrefix}-Reset${suffix}`, record.timeToExpire);
    });
    if (exceeded !== undefined) {
      throw new ProblemException({
        status: 429,
        code: 'rate_limited',
        title: 'Too Many Requests',
        detail: `At most ${exceeded.limit} requests per ${Math.round(exceeded.ttl / 1000)} s are allowed here; retry after ${retryAfter} s.`,
        headers: { 'Retry-After': String(Math.max(1, retryAfter)) },
      });
    }
    return true;
  }
}
