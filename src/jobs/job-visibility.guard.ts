import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { JobsService } from './jobs.service';

/**
 * Answers 404 for a job the user may not see before an event stream opens: once the stream has
 * sent its headers, an error could only arrive as an event, not as a status.
 */
@Injectable()
export class JobVisibilityGuard implements CanActivate {
  constructor(private readonly jobs: JobsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest<{ Params: { id: string } }>>();
    if (request.user === undefined) return false;
    await this.jobs.get(request.params.id, request.user);
    return true;
  }
}
