import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { logDistinctErrors } from './log-distinct-errors';
import { REDIS_CLIENT } from './redis.tokens';

type MessageHandler = (message: string) => void;

/**
 * The process's one Redis pub/sub connection (a subscribed connection can do nothing else), shared
 * by every module that listens to a channel. Opened on first use; ioredis resubscribes after a
 * reconnection, and `onReconnect` tells listeners that messages may have been missed meanwhile.
 */
@Injectable()
export class RedisSubscriber implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisSubscriber.name);
  private connection?: Redis;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private readonly reconnectHandlers = new Set<() => void>();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /** True while messages are being received. */
  get listening(): boolean {
    return this.connection?.status === 'ready';
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<void> {
    const connection = this.connect();
    const handlers = this.handlers.get(channel);
    if (handlers !== undefined) {
      handlers.add(handler);
      return;
    }
    this.handlers.set(channel, new Set([handler]));
    try {
      await connection.subscribe(channel);
    } catch (error) {
      // Forget the channel, so that the next subscribe asks Redis again.
      this.handlers.delete(channel);
      throw error;
    }
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.add(handler);
  }

  onApplicationShutdown(): void {
    this.connection?.disconnect();
  }

  private connect(): Redis {
    if (this.connection !== undefined) return this.connection;
    const connection = this.redis.duplicate({ enableOfflineQueue: true });
    this.connection = connection;
    logDistinctErrors(connection, this.logger, 'Redis subscription');
    connection.on('ready', () => this.reconnectHandlers.forEach((handler) => handler()));
    connection.on('message', (channel: string, message: string) => this.handlers.get(channel)?.forEach((handler) => handler(message)));
    return connection;
  }
}
