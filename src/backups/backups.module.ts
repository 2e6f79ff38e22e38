import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { JobsModule } from '../jobs/jobs.module';
import { BackupJobHandler } from './backup-job.handler';
import { BackupStore } from './backup-store';
import { BackupsController } from './backups.controller';
import { BackupsService } from './backups.service';

@Module({
  imports: [JobsModule, AuditModule, AuthModule],
  controllers: [BackupsController],
  providers: [BackupsService, BackupStore, BackupJobHandler],
})
export class BackupsModule {}
