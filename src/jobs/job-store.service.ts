import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import { REDIS_CLIENT } from '../common/redis/redis.module';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { applyChange, ChangeOutcome, EMPTY_PROGRESS, JobChange, JobRecord } from './job-record';
import { LIST_JOBS, SAVE_JOB, SWEEP_EXPIRED_JOBS } from './job-store.scripts';
import { JobRunner, JobStatus, JobType, TERMINAL_STATUSES } from './job.enums';

const EVENTS_MAX_LENGTH = 1_000;
/** Redis drops a final job's keys this long after its logical expiry, in case no sweep ran. */
const EXPIRY_GRACE_MS = 60 * 60 * 1000;
const MAX_WRITE_ATTEMPTS = 20;

export interface NewJob {
  type: JobType;
  runner: JobRunner;
  parameters?: Record<string, unknown>;
  priority?: number;
  createdBy: string | null;
  id?: string;
}

export interface JobListFilter {
  userId?: string;
  status?: JobStatus;
  type?: JobType;
  limit: number;
  offset: number;
}

export interface JobEvent {
  eventId: string;
  job: JobRecord;
}

type ScriptReply = [string, string?];

interface JobStoreCommands {
  saveJob(record: string, events: string, ...args: string[]): Promise<ScriptReply>;
  sweepExpiredJobs(...args: string[]): Promise<number>;
  listJobs(...keysThenArgs: (string | number)[]): Promise<[number, string[]]>;
}

export class JobNotFoundError extends Error {}

/**
 * Jobs live in Redis so every API and worker process sees the same state: records, exact indexes
 * for listing, an event stream per job (for SSE replay) and a pub/sub channel (for live events).
 * Writes are compare-and-set on a version number, so concurrent changes never lose one another.
 */
@Injectable()
export class JobStore {
  private readonly prefix: string;
  readonly channel: string;
  private readonly ttlMs: number;
  private readonly redis: Redis & JobStoreCommands;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = `${config.redisKeyPrefix}jobs:`;
    this.channel = `${this.prefix}events`;
    this.ttlMs = config.jobTtlHours * 60 * 60 * 1000;
    if (!('saveJob' in redis)) {
      redis.defineCommand('saveJob', { numberOfKeys: 2, lua: SAVE_JOB });
      redis.defineCommand('sweepExpiredJobs', { numberOfKeys: 0, lua: SWEEP_EXPIRED_JOBS });
      redis.defineCommand('listJobs', { lua: LIST_JOBS });
    }
    this.redis = redis as Redis & JobStoreCommands;
  }

  async create(job: NewJob): Promise<JobRecord> {
    const now = new Date().toISOString();
    const record: JobRecord = {
      id: job.id ?? randomUUID(),
      type: job.type,
      status: JobStatus.Pending,
      runner: job.runner,
      progress: { ...EMPTY_PROGRESS },
      result: null,
      error: null,
      parameters: job.parameters ?? {},
      priority: job.priority ?? 5,
      createdBy: job.createdBy,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      expiresAt: null,
      cancelRequestedAt: null,
      attempts: 0,
      version: 1,
    };
    const [status] = await this.save(record, undefined);
    if (status !== 'ok') throw new Error(`Job ${record.id} could not be created (${status})`);
    return record;
  }

  /** The job, or null when it does not exist or has expired. */
  async get(id: string): Promise<JobRecord | null> {
    const json = await this.redis.get(this.recordKey(id));
    if (json === null) return null;
    const record = JSON.parse(json) as JobRecord;
    return record.expiresAt !== null && Date.parse(record.expiresAt) <= Date.now() ? null : record;
  }

  /** Applies a change with optimistic concurrency; retries when another process wrote in between. */
  async change(id: string, change: JobChange): Promise<ChangeOutcome> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      const current = await this.get(id);
      if (current === null) throw new JobNotFoundError(id);
      const outcome = applyChange(current, change, new Date(), this.ttlMs);
      if ('refused' in outcome) return outcome;
      const [status] = await this.save(outcome.record, current);
      if (status === 'ok') return outcome;
      if (status === 'missing') throw new JobNotFoundError(id);
    }
    throw new Error(`Job ${id} kept changing under ${MAX_WRITE_ATTEMPTS} attempts to update it`);
  }

  async list(filter: JobListFilter): Promise<{ items: JobRecord[]; total: number }> {
    await this.sweepExpired();
    const owner = filter.userId === undefined ? '' : `user:${filter.userId}:`;
    const indexes: string[] = [];
    if (filter.status !== undefined) indexes.push(`${this.prefix}index:${owner}status:${filter.status}`);
    if (filter.type !== undefined) indexes.push(`${this.prefix}index:${owner}type:${filter.type}`);
    if (indexes.length === 0) indexes.push(filter.userId === undefined ? `${this.prefix}index:all` : `${this.prefix}index:user:${filter.userId}`);
    const scratch = `${this.prefix}scratch:${randomUUID()}`;
    const keys = [...indexes, scratch];
    const [total, records] = await this.redis.listJobs(keys.length, ...keys, filter.offset, filter.limit, this.prefix);
    const items = records.filter((json) => json !== '').map((json) => JSON.parse(json) as JobRecord);
    return { items, total };
  }

  /** Events of a job after the given event id (all of them when none), oldest first. */
  async eventsAfter(id: string, lastEventId?: string): Promise<JobEvent[]> {
    const start = lastEventId === undefined ? '-' : `(${lastEventId}`;
    const entries = await this.redis.xrange(this.eventsKey(id), start, '+');
    return entries.map(([eventId, fields]) => ({ eventId, job: JSON.parse(fields[1]) as JobRecord }));
  }

  /** Removes finished jobs whose time is up, with their index entries and events. Returns how many. */
  async sweepExpired(): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = await this.redis.sweepExpiredJobs(this.prefix, String(Date.now()), '500');
      removed += batch;
      if (batch < 500) return removed;
    }
  }

  /**
   * Remembers which job an Idempotency-Key created (for as long as jobs live), and refuses the same
   * key with a different request. Returns the job id already bound to the key, if any.
   */
  async bindIdempotencyKey(userId: string, key: string, requestHash: string, jobId: string): Promise<{ jobId: string; sameRequest: boolean } | null> {
    const storeKey = `${this.prefix}idempotency:${userId}:${createHash('sha256').update(key).digest('hex')}`;
    const bound = await this.redis.set(storeKey, JSON.stringify({ jobId, requestHash }), 'PX', this.ttlMs, 'NX');
    if (bound === 'OK') return null;
    const existing = await this.redis.get(storeKey);
    if (existing === null) return this.bindIdempotencyKey(userId, key, requestHash, jobId);
    const parsed = JSON.parse(existing) as { jobId: string; requestHash: string };
    return { jobId: parsed.jobId, sameRequest: parsed.requestHash === requestHash };
  }

  private save(record: JobRecord, previous: JobRecord | undefined): Promise<ScriptReply> {
    const final = TERMINAL_STATUSES.has(record.status) && record.expiresAt !== null;
    const expiresAtMs = final ? Date.parse(record.expiresAt!) : undefined;
    return this.redis.saveJob(
      this.recordKey(record.id),
      this.eventsKey(record.id),
      previous === undefined ? '' : String(previous.version),
      JSON.stringify(record),
      this.prefix,
      record.id,
      String(Date.parse(record.createdAt)),
      previous?.status ?? '',
      record.status,
      record.createdBy ?? '',
      record.type,
      expiresAtMs === undefined ? '' : String(expiresAtMs),
      expiresAtMs === undefined ? '' : String(expiresAtMs - Date.now() + EXPIRY_GRACE_MS),
      this.channel,
      String(EVENTS_MAX_LENGTH),
    );
  }

  private recordKey(id: string): string {
    return `${this.prefix}record:${id}`;
  }

  private eventsKey(id: string): string {
    return `${this.prefix}events:${id}`;
  }
}
