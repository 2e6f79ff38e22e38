import type Redis from 'ioredis';
import { DurabilityCheckDto, DurabilityStatus } from './health.dto';

/** The Redis settings that decide whether queued and finished jobs survive. */
export interface RedisPersistenceSettings {
  appendonly: string;
  save: string;
  maxmemoryPolicy: string;
}

/**
 * Judges whether the Redis in use keeps jobs: it must persist something (an append-only file or
 * snapshots) to keep them across its restart, and never evict keys (BullMQ's queue and the job
 * store break when a key silently disappears).
 */
export function judgeDurability(settings: RedisPersistenceSettings): DurabilityCheckDto {
  const warnings: string[] = [];
  if (settings.appendonly !== 'yes' && settings.save.trim() === '') {
    warnings.push('Redis persists nothing (appendonly no, no save points): every job is lost when Redis restarts.');
  }
  if (settings.maxmemoryPolicy !== 'noeviction') {
    warnings.push(`maxmemory-policy is ${settings.maxmemoryPolicy}, not noeviction: Redis may evict job and queue keys under memory pressure.`);
  }
  return { status: warnings.length === 0 ? DurabilityStatus.Ok : DurabilityStatus.Warning, warnings };
}

async function configValue(redis: Redis, name: string): Promise<string> {
  const reply = await redis.config('GET', name);
  if (reply.length < 2) throw new Error(`CONFIG GET ${name} answered nothing`);
  return reply[1];
}

/**
 * Reads the settings with CONFIG GET and judges them; managed Redis services often disable CONFIG,
 * and then (or while Redis is unreachable) durability is unknown rather than a failure.
 */
export async function checkRedisDurability(redis: Redis): Promise<DurabilityCheckDto> {
  try {
    const [appendonly, save, maxmemoryPolicy] = await Promise.all(['appendonly', 'save', 'maxmemory-policy'].map((name) => configValue(redis, name)));
    return judgeDurability({ appendonly, save, maxmemoryPolicy });
  } catch (error) {
    return { status: DurabilityStatus.Unknown, warnings: [`The Redis settings cannot be read (${(error as Error).message}); whether jobs survive a Redis restart is unknown.`] };
  }
}
