import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ExportFilesService } from './export-files.service';
import { ExportJobHandler } from './export-job.handler';
import { ExportRows } from './export-rows.service';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

@Module({
  imports: [JobsModule],
  controllers: [ExportsController],
  providers: [ExportsService, ExportRows, ExportFilesService, ExportJobHandler],
})
export class ExportsModule {}
