import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { AuthenticatedUser } from './authenticated-user';
import { Role } from './role.enum';

export const IS_PUBLIC = 'auth:isPublic';
export const ALLOWED_ROLES = 'auth:allowedRoles';
export const BEARER_SCHEME = 'bearer';

/** Opens a route to anonymous callers. Every other route needs a valid bearer token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Requires a signed-in user, optionally with one of the given roles (none listed: any role).
 * Also documents the bearer scheme and the 401/403 answers in the spec, and the 503 that any
 * signed-in route can answer: the session is checked in PostgreSQL.
 */
export function Authenticated(...roles: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ALLOWED_ROLES, roles),
    ApiBearerAuth(BEARER_SCHEME),
    ProblemResponses(401, ...(roles.length > 0 ? [403] : []), 503),
  );
}

/** The signed-in user of the request. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<FastifyRequest>().user;
  if (user === undefined) throw new Error('CurrentUser used on a route that the auth guard did not authenticate');
  return user;
});
