import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { StudentsModule } from './students/students.module';
import { AuditModule } from './audit/audit.module';
import { AuditVerifyModule } from './audit/audit-verify.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { BackupsModule } from './backups/backups.module';
import { BulkModule } from './bulk/bulk.module';
import { ProblemDetailsFilter } from './common/problem/problem-details.filter';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { RedisModule } from './common/redis/redis.module';
import { createValidationPipe } from './common/validation/validation.pipe';
import { AppConfigModule } from './config/app-config.module';
import { AppConfig } from './config/environment';
import { CoursesModule } from './courses/courses.module';
import { DatabaseModule } from './database/database.module';
import { EnrollmentsModule } from './enrollments/enrollments.module';
import { ExportsModule } from './exports/exports.module';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { JobWorkerModule } from './jobs/job-worker.module';
import { JobsModule } from './jobs/jobs.module';
import { loggerOptions } from './logging';

@Module({})
export class AppModule {
  /** `extraModules` lets tests and benchmarks mount routes of their own on the real application. */
  static forRoot(config: AppConfig, extraModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        DatabaseModule,
        RedisModule,
        RateLimitModule,
        AuditModule,
        AuditVerifyModule,
        AuthModule,
        StudentsModule,
        CoursesModule,
        EnrollmentsModule,
        HealthModule,
        ImportsModule,
        JobsModule,
        JobWorkerModule.forRole(config),
        ExportsModule,
        BackupsModule,
        BulkModule,
        ...extraModules,
      ],
      providers: [
        // Order matters: the rate limiter keys on the user that the auth guard resolved.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
