import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RefusalRecorder } from '../common/http/refusal-recorder';
import { AuditLog, AuditLogTotal } from './audit-log.entity';
import { AuditRefusalRecorder } from './audit-refusal-recorder';
import { AuditRetentionService } from './audit-retention.service';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';

@Module({
  imports: [MikroOrmModule.forFeature([AuditLog, AuditLogTotal])],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditRetentionService,
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
    { provide: RefusalRecorder, useClass: AuditRefusalRecorder },
  ],
  exports: [AuditService, AuditRetentionService, RefusalRecorder],
})
export class AuditModule {}
