import { MikroORM } from '@mikro-orm/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { AuditRequestContext } from './audit-context';
import { AuditAction, AuditResource } from './audit.enums';
import { AuditService } from './audit.service';

/**
 * The only way rows leave the audit trail. The table's trigger lets a DELETE through only when
 * the transaction declares a retention period and the row is older than it; the purge is itself
 * recorded, with how many rows went.
 */
@Injectable()
export class AuditRetentionService {
  private readonly logger = new Logger(AuditRetentionService.name);

  constructor(
    private readonly orm: MikroORM,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async purgeExpired(initiator: Partial<AuditRequestContext> = {}): Promise<number> {
    const retentionDays = this.config.auditRetentionDays;
    try {
      const deleted = await this.orm.em.fork({ useContext: false }).transactional(async (em) => {
        const connection = em.getConnection();
        const context = em.getTransactionContext();
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
        details: { retentionDays, deletedRows: deleted },
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
        details: { retentionDays },
      });
      throw error;
    }
  }
}
