import type { Knex } from '@mikro-orm/postgresql';
import type { Client, CustomTypesConfig } from 'pg';
import { ExportColumn, ExportSource } from './export-columns';
import { RawRow } from './export-formats';
import { WhereClause } from './export-filters';

const CURSOR = 'export_rows';
/** Every value as PostgreSQL's text: the formatters need no parsing for CSV, and dates stay days. */
const TEXT_VALUES = { getTypeParser: () => (value: string) => value } as unknown as CustomTypesConfig;

/**
 * One consistent view of the rows to export: a REPEATABLE READ, READ ONLY transaction on a
 * connection of its own, read in batches from a cursor ordered by the source's key. The count and
 * every batch see the same snapshot, so the count recorded in the audit trail is the number of
 * rows written.
 */
export class ExportSnapshot {
  private closed = false;
  /** The batch being fetched ahead; awaited before the transaction ends. */
  private inFlight: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly knex: Knex,
    private readonly connection: Client,
    readonly rowCount: number,
  ) {}

  static async open(knex: Knex, source: ExportSource, columns: readonly ExportColumn[], where: WhereClause): Promise<ExportSnapshot> {
    const connection = (await knex.client.acquireConnection()) as Client;
    try {
      await connection.query('begin isolation level repeatable read read only');
      const counted = await connection.query<{ count: string }>(`select count(*) as count from ${source.from} where ${where.sql}`, where.params);
      const select = columns.map((column) => column.sql).join(', ');
      // A cursor is planned once; keyset queries would be planned again for every batch.
      await connection.query(`declare ${CURSOR} no scroll cursor for select ${select} from ${source.from} where ${where.sql} order by ${source.key}`, where.params);
      return new ExportSnapshot(knex, connection, Number(counted.rows[0].count));
    } catch (error) {
      await connection.query('rollback').catch(() => undefined);
      await knex.client.releaseConnection(connection);
      throw error;
    }
  }

  /**
   * The rows in batches. The next batch is asked for as soon as the current one arrives, so that
   * PostgreSQL reads it while this process formats the current one.
   */
  async *batches(batchSize: number): AsyncGenerator<RawRow[]> {
    let next = this.fetch(batchSize);
    for (;;) {
      const rows = await next;
      const full = rows.length === batchSize;
      if (full) next = this.fetch(batchSize);
      if (rows.length > 0) yield rows;
      if (!full) return;
    }
  }

  /** Ends the transaction and gives the connection back; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.inFlight;
      await this.connection.query('commit');
      await this.knex.client.releaseConnection(this.connection);
    } catch (error) {
      // Ending it marks it disposed, so the pool drops it instead of handing out a broken connection.
      await this.connection.end().catch(() => undefined);
      await this.knex.client.releaseConnection(this.connection);
      throw error;
    }
  }

  private fetch(batchSize: number): Promise<RawRow[]> {
    const query = this.connection
      .query<RawRow>({ text: `fetch forward ${batchSize} from ${CURSOR}`, rowMode: 'array', types: TEXT_VALUES })
      .then((result) => result.rows);
    // Observed here so that a batch fetched ahead and then abandoned (the client left) never becomes an unhandled rejection.
    this.inFlight = query.catch(() => undefined);
    return query;
  }
}
