import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RefusalRecorder } from '../common/http/refusal-recorder';
import { AuditService } from './audit.service';
import { AUDITED, AuditedOptions } from './audited.decorator';

/** Records the refusal of an @Audited route (no token, wrong role) as a failed row of that route. */
@Injectable()
export class AuditRefusalRecorder implements RefusalRecorder {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  async recordRefusal(context: ExecutionContext, error: unknown): Promise<void> {
    const audited = this.reflector.get<AuditedOptions | undefined>(AUDITED, context.getHandler());
    if (audited === undefined) return;
    await this.audit.recordRequest(context.switchToHttp().getRequest<FastifyRequest>(), audited, { error });
  }
}
