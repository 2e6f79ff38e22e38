import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { auditContextOf, AuditRequestContext } from './audit-context';
import { AuditAction, AuditResource } from './audit.enums';

export const AUDITED = 'audit:options';

export interface AuditedOptions<Result = unknown> {
  action: AuditAction;
  resource: AuditResource;
  /** Which resource was touched; by default the `id` path parameter, else the result's `id`. */
  resourceId?: (request: FastifyRequest, result?: Result) => string | number | null | undefined;
  /** Extra facts for the row; by default the names (never the values) of the body's fields. */
  details?: (request: FastifyRequest, result?: Result) => Record<string, unknown> | undefined;
  /** Who acted on a public route (sign-in); by default the signed-in user. */
  actor?: (request: FastifyRequest, result?: Result) => { userId?: string | null; email?: string | null };
}

/**
 * Records every call of the route in the audit trail, success or failure (including a refusal by
 * the auth guard), before the response leaves. The spec marks the route with `x-audit`.
 */
export function Audited<Result = unknown>(options: AuditedOptions<Result>): MethodDecorator {
  return applyDecorators(
    SetMetadata(AUDITED, options),
    ApiExtension('x-audit', { action: options.action, resource: options.resource }),
  );
}

/** The audit context of the request, for services that write their own rows (a role change). */
export const RequestAuditContext = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuditRequestContext => auditContextOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
