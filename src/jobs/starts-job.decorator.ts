import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { ApiAcceptedResponse, ApiResponseCommonMetadata } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Observable, tap } from 'rxjs';
import { API_PREFIX } from '../common/http/api-prefix';
import { JobDto } from './dto/job.dto';

type ResponseHeaders = NonNullable<ApiResponseCommonMetadata['headers']>;

const LOCATION_HEADER: ResponseHeaders = { Location: { description: 'The URL of the job.', schema: { type: 'string' } } };

/**
 * Points the 202 of a route that started a job at that job. A route that may answer something else
 * instead (a dry run's 200) gets the header only when its answer is a job.
 */
@Injectable()
class JobLocationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<unknown>): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      tap((answer) => {
        if (answer instanceof Object && 'id' in answer && 'status' in answer) void reply.header('Location', `/${API_PREFIX}/jobs/${String(answer.id)}`);
      }),
    );
  }
}

/**
 * A route that answers 202 with the job it started: the `Location` of the job, documented with any
 * further response headers the route sends. The route keeps its own `@HttpCode(202)`: the Swagger
 * CLI plugin reads that decorator from the source to leave out the default 201.
 */
export function StartsJob(headers: ResponseHeaders = {}): MethodDecorator {
  return applyDecorators(
    ApiAcceptedResponse({
      type: JobDto,
      description: 'The job it started, as it stands now; `Location` is the job, to read again for its progress and result.',
      headers: { ...LOCATION_HEADER, ...headers },
    }),
    UseInterceptors(JobLocationInterceptor),
  );
}
