import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ProblemException } from '../common/problem/problem.exception';
import { createValidationPipe, flattenValidationErrors } from '../common/validation/validation.pipe';
import { CreateExportJobDto, EXPORT_FILTER_TYPES } from './dto/export-query.dto';
import { ExportFilters } from './export-filters';
import { definedOnly } from './export-request';

/** A job export's body whose filters passed the rules of its entity's GET export. */
export type CheckedExportJobBody = Omit<CreateExportJobDto, 'filters'> & { filters: ExportFilters };

/**
 * The body of a job export, checked as the global pipe checks every body, and then its `filters`
 * (a free JSON object, since their shape depends on `entity`) with exactly the rules of
 * `GET /exports/{entity}`. The route declares the body's schema with `@ApiBody`, as its parameter
 * type is this pipe's result.
 */
@Injectable()
export class ExportJobFiltersPipe implements PipeTransform<unknown, Promise<CheckedExportJobBody>> {
  private readonly bodyPipe = createValidationPipe();

  async transform(value: unknown): Promise<CheckedExportJobBody> {
    const body: CreateExportJobDto = await this.bodyPipe.transform(value, { type: 'body', metatype: CreateExportJobDto });
    const filters = plainToInstance(EXPORT_FILTER_TYPES[body.entity], body.filters ?? {});
    const errors = await validate(filters, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
    if (errors.length > 0) throw ProblemException.validation(flattenValidationErrors(errors, 'filters'));
    return { ...body, filters: definedOnly(filters) };
  }
}
