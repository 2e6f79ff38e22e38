import { Injectable, Logger, MessageEvent, OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { RedisSubscriber } from '../common/redis/redis-subscriber.service';
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
  private subscribed?: Promise<void>;

  constructor(
    private readonly store: JobStore,
    private readonly subscriber: RedisSubscriber,
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

  onApplicationShutdown(): void {
    this.live.complete();
  }

  private ensureSubscribed(): Promise<void> {
    this.subscribed ??= this.subscriber
      .subscribe(this.store.channel, (message) => {
        const separator = message.indexOf('|');
        this.live.next({ eventId: message.slice(0, separator), job: JSON.parse(message.slice(separator + 1)) as JobRecord });
      })
      .catch((error: unknown) => {
        // Let the next stream try again rather than fail for ever.
        this.subscribed = undefined;
        throw error;
      });
    return this.subscribed;
  }
}
