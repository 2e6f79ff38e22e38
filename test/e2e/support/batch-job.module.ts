import { EntityManager } from '@mikro-orm/postgresql';
import { Body, Controller, Injectable, Module, OnModuleInit, Post } from '@nestjs/common';
import { Authenticated, CurrentUser } from '../../../src/auth/auth.decorators';
import { AuthenticatedUser } from '../../../src/auth/authenticated-user';
import { JobHandlerRegistry } from '../../../src/jobs/job-handler.registry';
import { JobType } from '../../../src/jobs/job.enums';
import { JobsModule } from '../../../src/jobs/jobs.module';
import { JobsService } from '../../../src/jobs/jobs.service';
import { Student } from '../../../src/students/student.entity';

export interface BatchJobParameters {
  batches: number;
  batchSize: number;
  delayMs: number;
  prefix: string;
  failOnBatch?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A server-run job for the tests, shaped like a bulk import: one transaction, written in batches,
 * checking for cancellation between them. Registered as `migration`, a type the service itself does not run.
 */
@Injectable()
class BatchJobHandler implements OnModuleInit {
  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly em: EntityManager,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobType.Migration, async (execution) => {
      const parameters = execution.job.parameters as unknown as BatchJobParameters;
      const total = parameters.batches * parameters.batchSize;
      let created = 0;
      await this.em.fork().transactional(async (em) => {
        for (let batch = 0; batch < parameters.batches; batch += 1) {
          await execution.throwIfCancelled();
          if (batch === parameters.failOnBatch) throw new Error(`Batch ${batch} broke`);
          for (let index = 0; index < parameters.batchSize; index += 1) {
            const key = `${parameters.prefix}${batch}X${index}`;
            em.create(Student, { studentId: key.toUpperCase(), email: `${key.toLowerCase()}@batch.example`, firstName: 'B', lastName: 'J' });
          }
          await em.flush();
          created += parameters.batchSize;
          await execution.reportProgress({ processed: created, total, message: `Batch ${batch + 1} of ${parameters.batches}` });
          await sleep(parameters.delayMs);
        }
      });
      return { message: `Created ${created} students`, counts: { created } };
    });
  }
}

@Controller('test-only/batch-jobs')
@Authenticated()
class BatchJobController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  start(@Body() body: BatchJobParameters, @CurrentUser() user: AuthenticatedUser) {
    return this.jobs.startServerJob(JobType.Migration, { ...body }, user.id);
  }

  /** The daily cleanup, started by hand as the scheduler would. */
  @Post('cleanup')
  startCleanup(@CurrentUser() user: AuthenticatedUser) {
    return this.jobs.startServerJob(JobType.Cleanup, {}, user.id);
  }
}

@Module({ imports: [JobsModule], controllers: [BatchJobController], providers: [BatchJobHandler] })
export class BatchJobModule {}
