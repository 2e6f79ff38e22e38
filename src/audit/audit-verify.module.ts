import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { AuditVerifyJobHandler } from './audit-verify-job.handler';
import { AuditVerifyController } from './audit-verify.controller';
import { AuditModule } from './audit.module';

/** POST /audit/verify and the audit_verify job; load it in API and worker processes alike. */
@Module({
  imports: [AuditModule, JobsModule],
  controllers: [AuditVerifyController],
  providers: [AuditVerifyJobHandler],
})
export class AuditVerifyModule {}
