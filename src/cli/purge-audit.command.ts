import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AuditRetentionService } from '../audit/audit-retention.service';
import { AppConfig } from '../config/environment';

/** Runs the audit retention purge once, as the daily cleanup job does; returns what happened. */
export async function purgeAuditCommand(config: AppConfig): Promise<string> {
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const deleted = await context.get(AuditRetentionService).purgeExpired({ userAgent: 'cli audit-purge' });
    return `Removed ${deleted} audit rows older than ${config.auditRetentionDays} days.`;
  } finally {
    await context.close();
  }
}
