import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RefusalRecorder } from '../common/http/refusal-recorder';
import { ProblemException } from '../common/problem/problem.exception';
import { ALLOWED_ROLES, IS_PUBLIC } from './auth.decorators';
import { AuthService } from './auth.service';
import { Role } from './role.enum';

/** Global guard: every route needs a valid bearer token unless it is marked `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly refusals: RefusalRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.authorize(context);
    } catch (error) {
      // Interceptors never see a request the guard refused.
      await this.refusals.recordRefusal(context, error);
      throw error;
    }
  }

  private async authorize(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new ProblemException({
        status: 401,
        code: 'authentication_required',
        title: 'Unauthorized',
        detail: 'Send an access token from POST /api/v1/auth/login as "Authorization: Bearer <token>".',
      });
    }
    const user = await this.auth.authenticate(token);
    request.user = user;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets) ?? [];
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw ProblemException.insufficientRole(`This operation needs one of the roles: ${roles.join(', ')}.`);
    }
    return true;
  }
}
