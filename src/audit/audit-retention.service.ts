import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { AuditRequestContext } from './audit-context';
import { AuditCheckpointService, RetentionRun } from './audit-checkpoint.service';
import { AuditAction, AuditResource } from './audit.enums';
import { AuditService } from './audit.service';
import { AuditRetentionDetails } from './dto/audit-details.dto';

/**
 * Each run of consecutive rows the purge deletes, with the hash of its last row: the hash the next
 * kept row chains onto. `fromSeq` starts right after the previous kept row, so one checkpoint
 * accounts for the whole gap, earlier purges' rows included.
 */
const RETENTION_RUNS = `with marked as (
    select seq, id, hash, "timestamp" < now() - make_interval(days => ?) as doomed from audit_logs
  ), runs as (
    select seq, id, hash, doomed, lead(doomed) over (order by seq) as next_doomed,
      max(case when not doomed then seq end) over (order by seq rows between unbounded preceding and 1 preceding) as kept_before
    from marked
  )
  select coalesce(kept_before, 0) + 1 as "fromSeq", seq, id as "rowId", hash from runs where doomed and next_doomed is not true order by seq`;

/**
 * The only way rows leave the audit trail. The table's trigger lets a DELETE through only when
 * the transaction declares a retention period and the row is older than it; the purge is itself
 * recorded, with how many rows went. Before deleting it signs a retention checkpoint for each gap
 * it leaves, so the chain that remains still verifies.
 */
@Injectable()
export class AuditRetentionService {
  private readonly logger = new Logger(AuditRetentionService.name);

  constructor(
    private readonly orm: MikroORM,
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpointService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async purgeExpired(initiator: Partial<AuditRequestContext> = {}): Promise<number> {
    const retentionDays = this.config.auditRetentionDays;
    try {
      const deleted = await (this.orm.em.fork({ useContext: false }) as EntityManager).transactional(async (em) => {
        const connection = em.getConnection();
        const context = em.getTransactionContext();
        const runs = await connection.execute<{ fromSeq: string; seq: string; rowId: string; hash: string }[]>(RETENTION_RUNS, [retentionDays], 'all', context);
        await this.checkpoints.writeRetentionCheckpoints(
          em,
          runs.map((run): RetentionRun => ({ fromSeq: Number(run.fromSeq), seq: Number(run.seq), rowId: Number(run.rowId), hash: run.hash })),
        );
        // set_config(..., true) is SET LOCAL: the permission ends with this transaction.
        await connection.execute(`select set_config('sms.audit_retention_days', ?, true)`, [String(retentionDays)], 'run', context);
        const result = await connection.execute<{ affectedRows: number }>(
          `delete from audit_logs where "timestamp" < now() - make_interval(days => ?)`,
          [retentionDays],
          'run',
          context,
        );
        return result.affectedRows;
      });
      await this.audit.log({
        ...initiator,
        action: AuditAction.RetentionPurge,
        resource: AuditResource.AuditLog,
        success: true,
        details: { retentionDays, deletedRows: deleted } satisfies AuditRetentionDetails,
      });
      this.logger.log(`Audit retention purge removed ${deleted} rows older than ${retentionDays} days`);
      return deleted;
    } catch (error) {
      await this.audit.log({
        ...initiator,
        action: AuditAction.RetentionPurge,
        resource: AuditResource.AuditLog,
        success: false,
        errorCode: 'purge_failed',
        details: { retentionDays } satisfies AuditRetentionDetails,
      });
      throw error;
    }
  }
}
