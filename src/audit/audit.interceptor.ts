import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, concatMap, from, map, Observable, throwError } from 'rxjs';
import { AuditService } from './audit.service';
import { AUDITED, AuditedOptions } from './audited.decorator';

/**
 * Writes the audit row of every @Audited route: after the handler succeeds and before the
 * response is sent, or when anything in the pipeline (validation, handler) throws, in which case
 * the error is rethrown untouched.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    const options = this.reflector.get<AuditedOptions | undefined>(AUDITED, handler);
    if (options === undefined || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      concatMap((result: unknown) =>
        from(this.audit.recordRequest(request, options, { result }, handler, reply.statusCode)).pipe(map(() => result)),
      ),
      catchError((error: unknown) =>
        from(this.audit.recordRequest(request, options, { error }, handler)).pipe(concatMap(() => throwError(() => error))),
      ),
    );
  }
}
