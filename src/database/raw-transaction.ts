import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';

/** The socket under a pg client (pg-copy-streams reads the same one). */
interface ClientInternals {
  connection?: { stream?: { destroy(): void } };
}

const logger = new Logger('RawTransaction');

/**
 * A transaction on a connection borrowed from MikroORM's pool, for what the unit of work cannot
 * do (COPY, cursors, temporary tables, snapshots). The connection goes back to the pool only
 * after a COMMIT or ROLLBACK that succeeded; otherwise it is closed, which makes PostgreSQL roll
 * back, and the pool drops it instead of handing out a connection in an unknown state.
 */
export class RawTransaction {
  private settled = false;

  private constructor(
    private readonly knex: Knex,
    readonly client: PoolClient,
  ) {}

  /** Borrows a connection and begins; `begin` may name an isolation level or READ ONLY. */
  static async begin(em: EntityManager, begin = 'begin'): Promise<RawTransaction> {
    const knex = em.getKnex();
    const transaction = new RawTransaction(knex, (await knex.client.acquireConnection()) as PoolClient);
    try {
      await transaction.client.query(begin);
    } catch (error) {
      await transaction.discard();
      throw error;
    }
    return transaction;
  }

  /** Commits and gives the connection back; a failed COMMIT closes it and throws. */
  async commit(): Promise<void> {
    await this.finish('commit');
  }

  /**
   * Rolls back and gives the connection back. A connection that cannot roll back is closed
   * instead: PostgreSQL rolls back a transaction whose connection is gone, so this still ends
   * rolled back, and the failure is only logged. Does nothing once the transaction has ended.
   */
  async rollback(): Promise<void> {
    if (this.settled) return;
    await this.finish('rollback').catch((error: unknown) => logger.error({ err: error }, 'Could not roll back; the connection was closed instead'));
  }

  /**
   * Closes the connection whatever it is doing: a COPY that nobody reads cannot be stopped by the
   * protocol (the server waits to send the rest), so the socket is destroyed and the server ends
   * the query and rolls back. Does nothing once the transaction has ended.
   */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await this.close();
  }

  private async finish(statement: 'commit' | 'rollback'): Promise<void> {
    if (this.settled) throw new Error(`Cannot ${statement}: the transaction has already ended`);
    this.settled = true;
    try {
      await this.client.query(statement);
    } catch (error) {
      await this.close();
      throw error;
    }
    await this.knex.client.releaseConnection(this.client);
  }

  /** Ending the client marks it disposed, so the pool drops it when it comes back. */
  private async close(): Promise<void> {
    const ended = this.client.end().catch((error: unknown) => logger.warn({ err: error }, 'A discarded connection did not end cleanly'));
    (this.client as unknown as ClientInternals).connection?.stream?.destroy();
    await ended;
    await this.knex.client.releaseConnection(this.client);
  }
}

/**
 * Runs `work` in one transaction on one borrowed connection: committed if it resolves, rolled
 * back if it throws (its error is what the caller sees). A process killed mid-way leaves nothing:
 * PostgreSQL rolls back the transaction of a connection that drops.
 */
export async function withRawTransaction<T>(em: EntityManager, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const transaction = await RawTransaction.begin(em);
  let result: T;
  try {
    result = await work(transaction.client);
  } catch (error) {
    await transaction.rollback();
    throw error;
  }
  await transaction.commit();
  return result;
}
