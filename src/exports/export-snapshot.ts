import type { EntityManager } from '@mikro-orm/postgresql';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { RawTransaction } from '../database/raw-transaction';
import { ExportSource } from './export-columns';
import { WhereClause } from './export-filters';

/**
 * One consistent view of the rows to export: a REPEATABLE READ, READ ONLY transaction on a
 * connection of its own, in which the rows are counted first and then read by one COPY, in the
 * order of the source's key. The count and the rows see the same snapshot, so the count recorded
 * in the audit trail is the number of rows written.
 */
export class ExportSnapshot {
  private closed = false;

  private constructor(
    private readonly transaction: RawTransaction,
    readonly rowCount: number,
  ) {}

  /** Begins the transaction and counts the rows. */
  static async open(em: EntityManager, source: ExportSource, where: WhereClause): Promise<ExportSnapshot> {
    const transaction = await RawTransaction.begin(em, 'begin isolation level repeatable read read only');
    try {
      const counted = await transaction.client.query<{ count: string }>(`select count(*) as count from ${source.from} where ${where.sql}`, where.params);
      return new ExportSnapshot(transaction, Number(counted.rows[0].count));
    } catch (error) {
      await transaction.rollback();
      throw error;
    }
  }

  /**
   * Runs a `COPY … TO STDOUT` in the snapshot and returns its output. Reading it slower than
   * PostgreSQL writes it holds PostgreSQL back (the socket is read only on demand). Once the
   * stream has ended, `close()` commits; if it is abandoned or fails, `abort()`.
   */
  async copyOut(sql: string): Promise<Readable> {
    // The copy is one ordered stream that a single process writes: parallel workers would only
    // add a Gather Merge (measured 3 s instead of 0.9 s for 1 M rows on 2 cores), and a JIT
    // compilation costs more than the simple expressions it would speed up. XLSX writes instants
    // as doubles with the shortest digits that read back as them, as JavaScript does: the default
    // of extra_float_digits, set in case the server's is another.
    await this.transaction.client.query('set local max_parallel_workers_per_gather = 0; set local jit = off; set local extra_float_digits = 1');
    const copy = this.transaction.client.query(copyTo(sql));
    // pg-copy-streams emits its errors directly, even after a pipeline has let go of the stream
    // (the connection cut by abort()): without a listener that would crash the process. The
    // pipeline that reads the stream sees and reports the errors that matter.
    copy.on('error', () => undefined);
    return copy;
  }

  /** Ends the transaction and gives the connection back; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transaction.commit();
  }

  /** Drops the connection, whatever it is doing (see RawTransaction.discard); safe to call more than once. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transaction.discard();
  }
}
