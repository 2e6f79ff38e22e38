import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RefusalRecorder } from '../common/http/refusal-recorder';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { AuditChainHead, AuditLog, AuditLogTotal } from './audit-log.entity';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditRefusalRecorder } from './audit-refusal-recorder';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { AuditRetentionService } from './audit-retention.service';
import { AuditSigner } from './audit-signer';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';

@Module({
  imports: [MikroOrmModule.forFeature([AuditLog, AuditLogTotal, AuditChainHead, AuditCheckpoint])],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditRetentionService,
    AuditCheckpointService,
    { provide: AuditSigner, inject: [APP_CONFIG], useFactory: (config: AppConfig) => AuditSigner.load(config) },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
    { provide: RefusalRecorder, useClass: AuditRefusalRecorder },
  ],
  exports: [AuditService, AuditRetentionService, AuditCheckpointService, RefusalRecorder],
})
export class AuditModule {}
