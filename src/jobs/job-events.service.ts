import { Inject, Injectable, Logger, MessageEvent, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { Observable, Subject } from 'rxjs';
import { REDIS_CLIENT } from '../common/redis/redis.module';
import { JobRecord } from './job-record';
import { JobEvent, JobStore } from './job-store.service';
import { TERMINAL_STATUSES } from './job.enums';

/** Orders Redis stream ids ("<ms>-<sequence>"). */
export function compareEventIds(a: string, b: string): number {
  const [aTime, aSequence] = a.split('-').map(Number);
  const [bTime, bSequence] = b.split('-').map(Number);
  return aTime === bTime ? aSequence - bSequence : aTime - bTime;
}

/**
 * Server-sent events of job changes. One Redis subscription per process fans out to every
 * stream; each stream first replays the job's stored events after Last-Event-ID, then goes live,
 * in order and without duplicates, and ends after the final event.
 */
@Injectable()
export class JobEventsService implements OnApplicationShutdown {
  private readonly logger = new Logger(JobEventsService.name);
  private readonly live = new Subject<JobEvent>();
  private subscriber?: Redis;

  constructor(
    private readonly store: JobStore,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  stream(jobId: string, toMessage: (job: JobRecord) => object, lastEventId?: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let lastSent = lastEventId;
      let replaying = true;
      const waiting: JobEvent[] = [];
      const send = (event: JobEvent): void => {
        if (subscriber.closed || (lastSent !== undefined && compareEventIds(event.eventId, lastSent) <= 0)) return;
        lastSent = event.eventId;
        subscriber.next({ id: event.eventId, data: toMessage(event.job) });
        if (TERMINAL_STATUSES.has(event.job.status)) subscriber.complete();
      };
      // Subscribe before replaying, so nothing published during the replay is missed.
      const subscription = this.live.subscribe((event) => {
        if (event.job.id !== jobId) return;
        if (replaying) waiting.push(event);
        else send(event);
      });
      this.ensureSubscribed()
        .then(() => this.store.eventsAfter(jobId, lastEventId))
        .then(async (stored) => {
          stored.forEach(send);
          replaying = false;
          waiting.splice(0).forEach(send);
          // Resuming after the final event (or after the job expired) leaves nothing to wait for. A
          // job that ended during the replay may not have had its final event delivered yet: read it.
          const current = await this.store.get(jobId);
          if (current !== null && TERMINAL_STATUSES.has(current.status)) (await this.store.eventsAfter(jobId, lastSent)).forEach(send);
          if (current === null || TERMINAL_STATUSES.has(current.status)) subscriber.complete();
        })
        .catch((error: unknown) => {
          this.logger.error({ err: error, jobId }, 'Job event stream failed');
          subscriber.error(error);
        });
      return () => subscription.unsubscribe();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.live.complete();
    this.subscriber?.disconnect();
  }

  private async ensureSubscribed(): Promise<void> {
    if (this.subscriber !== undefined) return;
    const subscriber = this.redis.duplicate({ enableOfflineQueue: true });
    this.subscriber = subscriber;
    subscriber.on('error', (error: Error) => this.logger.error(`Job event subscription: ${error.message}`));
    subscriber.on('message', (_channel: string, message: string) => {
      const separator = message.indexOf('|');
      this.live.next({ eventId: message.slice(0, separator), job: JSON.parse(message.slice(separator + 1)) as JobRecord });
    });
    await subscriber.subscribe(this.store.channel);
  }
}
