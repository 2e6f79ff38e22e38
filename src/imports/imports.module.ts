import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ImportJobHandler } from './import-job.handler';
import { ImportIssue, ImportPreview } from './import-preview.entity';
import { ImportRunner } from './import-runner.service';
import { ImportStorage } from './import-storage.service';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

@Module({
  imports: [MikroOrmModule.forFeature([ImportPreview, ImportIssue]), JobsModule],
  controllers: [ImportsController],
  providers: [ImportsService, ImportRunner, ImportStorage, ImportJobHandler],
})
export class ImportsModule {}
