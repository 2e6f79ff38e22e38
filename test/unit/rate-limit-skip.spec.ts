import 'reflect-metadata';
import { SkipThrottle } from '@nestjs/throttler';
import { THROTTLER_SKIP } from '../../src/common/rate-limit/rate-limit.guard';

describe('THROTTLER_SKIP', () => {
  it('is the key @SkipThrottle() writes, per throttler name', () => {
    class Routes {
      @SkipThrottle()
      health(): void {}

      @SkipThrottle({ login: true })
      other(): void {}
    }
    expect(Reflect.getMetadata(`${THROTTLER_SKIP}default`, Routes.prototype.health)).toBe(true);
    expect(Reflect.getMetadata(`${THROTTLER_SKIP}login`, Routes.prototype.other)).toBe(true);
  });
});
