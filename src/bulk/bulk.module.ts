import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ImportsModule } from '../imports/imports.module';
import { JobsModule } from '../jobs/jobs.module';
import { BulkJobHandler } from './bulk-job.handler';
import { BulkPreview } from './bulk-preview.entity';
import { BulkController } from './bulk.controller';
import { BulkService } from './bulk.service';

@Module({
  imports: [MikroOrmModule.forFeature([BulkPreview]), JobsModule, AuditModule, ImportsModule],
  controllers: [BulkController],
  providers: [BulkService, BulkJobHandler],
})
export class BulkModule {}
