import type Redis from 'ioredis';
import { checkRedisDurability, judgeDurability } from '../../src/health/redis-durability';

describe('judgeDurability', () => {
  it('is ok with an append-only file, or snapshots, and noeviction', () => {
    expect(judgeDurability({ appendonly: 'yes', save: '', maxmemoryPolicy: 'noeviction' })).toEqual({ status: 'ok', warnings: [] });
    expect(judgeDurability({ appendonly: 'no', save: '3600 1 300 100', maxmemoryPolicy: 'noeviction' })).toEqual({ status: 'ok', warnings: [] });
  });

  it('warns when Redis persists nothing', () => {
    const { status, warnings } = judgeDurability({ appendonly: 'no', save: '', maxmemoryPolicy: 'noeviction' });
    expect(status).toBe('warning');
    expect(warnings).toEqual([expect.stringContaining('persists nothing')]);
  });

  it('warns when Redis may evict keys, naming the policy', () => {
    const { status, warnings } = judgeDurability({ appendonly: 'yes', save: '', maxmemoryPolicy: 'allkeys-lru' });
    expect(status).toBe('warning');
    expect(warnings).toEqual([expect.stringContaining('allkeys-lru, not noeviction')]);
  });
});

describe('checkRedisDurability', () => {
  const redisAnswering = (config: (name: string) => Promise<string[]>) => ({ config: (_get: string, name: string) => config(name) }) as unknown as Redis;

  it('reads the three settings', async () => {
    const values: Record<string, string> = { appendonly: 'no', save: '', 'maxmemory-policy': 'volatile-lru' };
    const durability = await checkRedisDurability(redisAnswering(async (name) => [name, values[name]]));
    expect(durability.status).toBe('warning');
    expect(durability.warnings).toHaveLength(2);
  });

  it('is unknown, not a failure, when CONFIG is disabled', async () => {
    const durability = await checkRedisDurability(redisAnswering(() => Promise.reject(new Error("ERR unknown command 'CONFIG'"))));
    expect(durability).toEqual({ status: 'unknown', warnings: [expect.stringContaining("ERR unknown command 'CONFIG'")] });
  });

  it('is unknown when CONFIG GET answers nothing for a setting', async () => {
    const durability = await checkRedisDurability(redisAnswering(async () => []));
    expect(durability.status).toBe('unknown');
  });
});
