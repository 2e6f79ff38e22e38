import { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyRequest } from 'fastify';
import { PassThrough, Readable } from 'node:stream';
import { once } from 'node:events';
import { csvLine } from '../common/csv';
import { Page } from '../common/pagination/page.dto';
import { dependencyOutageOf } from '../common/problem/dependency-outage';
import { toProblem } from '../common/problem/problem-details.filter';
import { ProblemException } from '../common/problem/problem.exception';
import { auditContextOf, AuditRequestContext } from './audit-context';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { AuditLog, AuditLogTotal } from './audit-log.entity';
import { AuditAction, AuditResource } from './audit.enums';
import { AuditedOptions } from './audited.decorator';
import { storableColumn, storableDetailsJson } from './storable-details';
import { AuditExportFormat, AuditFilterDto, AuditListQueryDto, AuditLogDto } from './dto/audit-log.dto';
import { AuditFieldsDetails } from './dto/audit-details.dto';

export interface AuditEntry extends Partial<AuditRequestContext> {
  action: AuditAction;
  resource: AuditResource;
  resourceId?: string | null;
  success: boolean;
  statusCode?: number | null;
  errorCode?: string | null;
  details?: Record<string, unknown> | null;
}

/** The outcome of an audited request: its result, or the error it ended with. */
export type RequestOutcome = { result: unknown } | { error: unknown };

const EXPORT_BATCH_SIZE = 2_000;
const AUDIT_WRITE_ATTEMPTS = 2;
const INSERT_AUDIT_ROW = `insert into audit_logs
  (user_id, email, action, resource, resource_id, ip_address, peer_address, user_agent, request_id, success, status_code, error_code, details)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning seq`;
export const AUDIT_EXPORT_COLUMNS = [
  'id', 'timestamp', 'userId', 'email', 'action', 'resource', 'resourceId', 'ipAddress', 'peerAddress',
  'userAgent', 'requestId', 'success', 'statusCode', 'errorCode', 'details', 'seq', 'prevHash', 'hash',
] as const;

/**
 * Names of the fields a request body carried: what changed, never the values (they may be health
 * data or a password). A password reset shows as the field name `password`.
 */
export function bodyFieldNames(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const fields = Object.keys(body);
  return fields.length === 0 ? undefined : ({ fields } satisfies AuditFieldsDetails);
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly checkpoints: AuditCheckpointService,
  ) {}

  /**
   * Writes one row in a transaction of its own, never the caller's: a bulk operation that rolls
   * back still leaves its failure row. Every value is made storable first, whatever the request
   * carried. A write that still fails (the database blinked) is tried once more, unless the database
   * is down, then logged, not
   * thrown, so that the answer to a request whose work is already committed stays true.
   */
  async log(entry: AuditEntry): Promise<void> {
    const values = [
      entry.userId ?? null,
      storableColumn(entry.email, 254),
      entry.action,
      entry.resource,
      storableColumn(entry.resourceId, 100),
      storableColumn(entry.ipAddress, 45),
      storableColumn(entry.peerAddress, 45),
      storableColumn(entry.userAgent, 512),
      storableColumn(entry.requestId, 64),
      entry.success,
      entry.statusCode ?? null,
      storableColumn(entry.errorCode, 64),
      storableDetailsJson(entry.details),
    ];
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Straight on the pool, with no transaction context: never inside a transaction of the request.
        const inserted = await this.em.getKnex().raw<{ rows: { seq: string }[] }>(INSERT_AUDIT_ROW, values);
        this.checkpoints.noteRow(Number(inserted.rows[0].seq));
        return;
      } catch (error) {
        // A database that is down will not be back within a retry; the request's answer should not wait for it.
        if (attempt < AUDIT_WRITE_ATTEMPTS && dependencyOutageOf(error) === undefined) continue;
        this.logger.error({ err: error, requestId: entry.requestId, audit: { ...entry, details: undefined } }, 'Could not write an audit row');
        return;
      }
    }
  }

  /** Records an audited request's outcome with who, from where, and the problem code of a failure. */
  async recordRequest(request: FastifyRequest, options: AuditedOptions, outcome: RequestOutcome, handler?: object, replyStatus?: number): Promise<void> {
    const result = 'result' in outcome ? outcome.result : undefined;
    const context = auditContextOf(request);
    const facts = this.describe(request, options, result);
    if ('error' in outcome) {
      const { body } = toProblem(outcome.error, String(request.id));
      await this.log({ ...context, ...facts, success: false, statusCode: body.status, errorCode: body.code });
      return;
    }
    await this.log({ ...context, ...facts, success: true, statusCode: successStatusOf(request, handler, replyStatus) });
  }

  async list(query: AuditListQueryDto): Promise<Page<AuditLogDto>> {
    const where = filterOf(query);
    const [rows, total] = await Promise.all([
      this.em.fork().find(AuditLog, where, { orderBy: { timestamp: 'DESC', id: 'DESC' }, limit: query.limit, offset: query.offset }),
      Object.keys(where).length === 0 ? this.totalOfAllRows() : this.em.fork().count(AuditLog, where),
    ]);
    return { items: rows.map(AuditLogDto.from), total, limit: query.limit, offset: query.offset };
  }

  /** Kept exact by triggers (see AuditLogTotal): counting a million rows would take tens of milliseconds. */
  private async totalOfAllRows(): Promise<number> {
    const row = await this.em.fork().findOneOrFail(AuditLogTotal, { id: true });
    return Number(row.total);
  }

  async get(id: number): Promise<AuditLogDto> {
    const row = await this.em.findOne(AuditLog, { id });
    if (row === null) throw ProblemException.notFound(`Audit row ${id}`);
    return AuditLogDto.from(row);
  }

  /**
   * Streams every matching row, newest first, from one consistent snapshot (a repeatable-read
   * transaction), in batches, waiting for the client to drain each one: memory stays flat however
   * many rows match.
   */
  exportRows(filters: AuditFilterDto, format: AuditExportFormat): Readable {
    const output = new PassThrough();
    const write = async (text: string): Promise<void> => {
      if (!output.write(text)) await once(output, 'drain');
    };
    const run = async (): Promise<void> => {
      const where = filterOf(filters);
      await this.em.fork().transactional(
        async (em) => {
          if (format === AuditExportFormat.Csv) await write(csvLine(AUDIT_EXPORT_COLUMNS));
          let after: { timestamp: Date; id: number } | undefined;
          for (;;) {
            const page: FilterQuery<AuditLog> =
              after === undefined
                ? where
                : { $and: [where, { $or: [{ timestamp: { $lt: after.timestamp } }, { timestamp: after.timestamp, id: { $lt: after.id } }] }] };
            const rows = await em.find(AuditLog, page, { orderBy: { timestamp: 'DESC', id: 'DESC' }, limit: EXPORT_BATCH_SIZE });
            for (const row of rows) {
              if (output.destroyed) return;
              const dto = AuditLogDto.from(row);
              await write(format === AuditExportFormat.Csv ? csvLine(AUDIT_EXPORT_COLUMNS.map((column) => dto[column])) : `${JSON.stringify(dto)}\n`);
            }
            if (rows.length < EXPORT_BATCH_SIZE) return;
            const last = rows[rows.length - 1];
            after = { timestamp: last.timestamp, id: Number(last.id) };
            em.clear();
          }
        },
        { isolationLevel: 'repeatable read' as never, readOnly: true },
      );
    };
    run().then(
      () => output.end(),
      (error: unknown) => {
        // The status line has gone; cutting the stream is the only way left to tell the client.
        this.logger.error({ err: error }, 'Audit export failed mid-stream');
        output.destroy(error as Error);
      },
    );
    return output;
  }

  private describe(request: FastifyRequest, options: AuditedOptions, result: unknown) {
    const pathId = (request.params as Record<string, string> | undefined)?.id;
    const resultId = (result as { id?: string | number } | undefined)?.id;
    const resourceId = options.resourceId?.(request, result) ?? pathId ?? resultId;
    const actor = options.actor?.(request, result);
    return {
      action: options.action,
      resource: options.resource,
      resourceId: resourceId === undefined || resourceId === null ? null : String(resourceId),
      ...(actor === undefined ? {} : { userId: actor.userId ?? null, email: actor.email ?? null }),
      details: (options.details ?? ((req: FastifyRequest) => bodyFieldNames(req.body)))(request, result) ?? null,
    };
  }
}

/**
 * The status a successful handler answers with: one it set on the reply itself (a cancel that is
 * only accepted answers 202), else its @HttpCode, else 201 for POST and 200 otherwise.
 */
function successStatusOf(request: FastifyRequest, handler?: object, replyStatus?: number): number {
  if (replyStatus !== undefined && replyStatus !== Number(HttpStatus.OK)) return replyStatus;
  const declared = handler === undefined ? undefined : (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined);
  return declared ?? (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
}

export function filterOf(filters: AuditFilterDto): FilterQuery<AuditLog> {
  const where: FilterQuery<AuditLog> = {};
  if (filters.action !== undefined) where.action = filters.action;
  if (filters.resource !== undefined) where.resource = filters.resource;
  if (filters.resourceId !== undefined) where.resourceId = filters.resourceId;
  if (filters.userId !== undefined) where.userId = filters.userId.toLowerCase();
  if (filters.email !== undefined) where.email = filters.email;
  if (filters.success !== undefined) where.success = filters.success;
  if (filters.requestId !== undefined) where.requestId = filters.requestId;
  if (filters.startDate !== undefined || filters.endDate !== undefined) {
    where.timestamp = {
      ...(filters.startDate === undefined ? {} : { $gte: new Date(filters.startDate) }),
      ...(filters.endDate === undefined ? {} : endBound(filters.endDate)),
    };
  }
  return where;
}

/** An end given as a day (`2026-11-30`) includes that whole day; an instant includes itself. */
function endBound(endDate: string): { $lt: Date } | { $lte: Date } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(endDate)) return { $lte: new Date(endDate) };
  const nextDay = new Date(endDate);
  nextDay.setUTCDate(nextDay.getUTCDate() + 1);
  return { $lt: nextDay };
}
