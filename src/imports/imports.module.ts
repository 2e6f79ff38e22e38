import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ChangeJournal } from './change-journal.service';
import { ImportCommit } from './import-commit.entity';
import { ImportJobHandler } from './import-job.handler';
import { ImportIssue, ImportPreview } from './import-preview.entity';
import { ImportRunner } from './import-runner.service';
import { ImportStorage } from './import-storage.service';
import { ImportUndoJobHandler } from './import-undo-job.handler';
import { ImportUndoController } from './import-undo.controller';
import { ImportUndoService } from './import-undo.service';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

@Module({
  imports: [MikroOrmModule.forFeature([ImportPreview, ImportIssue, ImportCommit]), JobsModule],
  controllers: [ImportsController, ImportUndoController],
  providers: [ImportsService, ImportRunner, ImportStorage, ImportJobHandler, ImportUndoService, ImportUndoJobHandler, ChangeJournal],
  exports: [ChangeJournal],
})
export class ImportsModule {}
