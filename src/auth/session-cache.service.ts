import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '../common/redis/redis.module';
import { RedisSubscriber } from '../common/redis/redis-subscriber.service';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { AuthenticatedUser } from './authenticated-user';

/** How long a verified session is trusted without asking PostgreSQL again. */
const ENTRY_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/**
 * Remembers verified sessions for a short while, because looking a session up in PostgreSQL was
 * the largest cost of every authenticated request. Revocations stay immediate: the process that
 * revokes forgets at once and tells every other process over Redis pub/sub; while that channel
 * is down, nothing is cached and every request asks PostgreSQL.
 */
@Injectable()
export class SessionCache {
  private readonly logger = new Logger(SessionCache.name);
  private readonly entries = new Map<string, { user: AuthenticatedUser; until: number }>();
  private readonly channel: string;
  /** Caching starts only once the revocation channel is confirmed subscribed. */
  private subscription: 'none' | 'pending' | 'active' = 'none';
  /** Bumped on every revocation, so a lookup that raced one is not cached (see remember). */
  private revocations = 0;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly subscriber: RedisSubscriber,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = `${config.redisKeyPrefix}auth:revocations`;
    // Whatever was revoked while the channel was down is unknown: start again from nothing.
    subscriber.onReconnect(() => this.entries.clear());
  }

  get(sessionId: string): AuthenticatedUser | undefined {
    if (!this.listening()) return undefined;
    const entry = this.entries.get(sessionId);
    if (entry === undefined) return undefined;
    if (entry.until > Date.now()) return entry.user;
    this.entries.delete(sessionId);
    return undefined;
  }

  /** Take before asking PostgreSQL; pass to remember. */
  revocationCount(): number {
    return this.revocations;
  }

  /** Caches a session verified in PostgreSQL, unless a revocation arrived since the lookup began. */
  remember(user: AuthenticatedUser, tokenExpiresAtMs: number, revocationsBeforeLookup: number): void {
    if (!this.listening()) {
      this.subscribe();
      return;
    }
    if (revocationsBeforeLookup !== this.revocations) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(user.sessionId, { user, until: Math.min(Date.now() + ENTRY_TTL_MS, tokenExpiresAtMs) });
  }

  /** Forgets one session here and in every other process. */
  async forgetSession(sessionId: string): Promise<void> {
    this.revocations += 1;
    this.entries.delete(sessionId);
    await this.broadcast(`session:${sessionId}`);
  }

  /** Forgets every session of a user (password, role or status changed) here and everywhere. */
  async forgetUser(userId: string): Promise<void> {
    this.dropUser(userId);
    await this.broadcast(`user:${userId}`);
  }

  private listening(): boolean {
    return this.subscription === 'active' && this.subscriber.listening;
  }

  private dropUser(userId: string): void {
    this.revocations += 1;
    for (const [sessionId, entry] of this.entries) if (entry.user.id === userId) this.entries.delete(sessionId);
  }

  private async broadcast(message: string): Promise<void> {
    try {
      await this.redis.publish(this.channel, message);
    } catch (error) {
      // Other processes cannot be told: clear what this process knows and stop caching until the
      // subscription is back, so no process trusts a revoked session for long.
      this.logger.error(`Could not broadcast a session revocation: ${(error as Error).message}`);
      this.entries.clear();
    }
  }

  private subscribe(): void {
    if (this.subscription !== 'none') return;
    this.subscription = 'pending';
    this.subscriber.subscribe(this.channel, (message) => this.onRevocation(message)).then(
      () => {
        this.subscription = 'active';
      },
      (error: unknown) => {
        this.subscription = 'none';
        this.logger.error(`Could not subscribe to session revocations: ${(error as Error).message}`);
      },
    );
  }

  private onRevocation(message: string): void {
    const [kind, id] = [message.slice(0, message.indexOf(':')), message.slice(message.indexOf(':') + 1)];
    if (kind === 'session') {
      this.revocations += 1;
      this.entries.delete(id);
    } else {
      this.dropUser(id);
    }
  }
}
