import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ExportFilesService } from './export-files.service';
import { ExportJobHandler } from './export-job.handler';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

@Module({
  imports: [JobsModule],
  controllers: [ExportsController],
  providers: [ExportsService, ExportFilesService, ExportJobHandler],
})
export class ExportsModule {}
