import type { Knex } from '@mikro-orm/postgresql';
import type { Client, CustomTypesConfig } from 'pg';
import { ExportColumn, ExportSource } from './export-columns';
import { RawRow } from './export-formats';
import { WhereClause } from './export-filters';

/** Every value as PostgreSQL's text: the formatters need no parsing for CSV, and dates stay days. */
const TEXT_VALUES = { getTypeParser: () => (value: string) => value } as unknown as CustomTypesConfig;

/**
 * One consistent view of the rows to export: a REPEATABLE READ, READ ONLY transaction on a
 * connection of its own, read in keyset batches on the source's key. The count and every batch
 * see the same snapshot, so the count recorded in the audit trail is the number of rows written.
 */
export class ExportSnapshot {
  private closed = false;
  /** The batch being fetched ahead; awaited before the transaction ends. */
  private inFlight: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly knex: Knex,
    private readonly connection: Client,
    private readonly batchQuery: string,
    private readonly params: unknown[],
    readonly rowCount: number,
  ) {}

  static async open(knex: Knex, source: ExportSource, columns: readonly ExportColumn[], where: WhereClause): Promise<ExportSnapshot> {
    const connection = (await knex.client.acquireConnection()) as Client;
    try {
      await connection.query('begin isolation level repeatable read read only');
      const counted = await connection.query<{ count: string }>(`select count(*) as count from ${source.from} where ${where.sql}`, where.params);
      const select = [source.key, ...columns.map((column) => column.sql)].join(', ');
      const after = `$${where.params.length + 1}`;
      const limit = `$${where.params.length + 2}`;
      const batchQuery = `select ${select} from ${source.from} where (${where.sql}) and ${source.key} > ${after} order by ${source.key} limit ${limit}`;
      return new ExportSnapshot(knex, connection, batchQuery, where.params, Number(counted.rows[0].count));
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
    let next = this.fetch(0, batchSize);
    for (;;) {
      const rows = await next;
      const full = rows.length === batchSize;
      if (full) next = this.fetch(rows[rows.length - 1][0], batchSize);
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

  private fetch(after: string | number | null, batchSize: number): Promise<RawRow[]> {
    const query = this.connection
      .query<RawRow>({ text: this.batchQuery, values: [...this.params, after, batchSize], rowMode: 'array', types: TEXT_VALUES })
      .then((result) => result.rows);
    // Observed here so that a batch fetched ahead and then abandoned (the client left) never becomes an unhandled rejection.
    this.inFlight = query.catch(() => undefined);
    return query;
  }
}
