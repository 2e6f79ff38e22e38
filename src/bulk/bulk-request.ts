import { Type } from '@nestjs/common';
import { OmitType } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { FieldProblem, ProblemException } from '../common/problem/problem.exception';
import { flattenValidationErrors } from '../common/validation/validation.pipe';
import { UpdateCourseDto } from '../courses/dto/course.dto';
import { UpdateEnrollmentDto } from '../enrollments/dto/enrollment.dto';
import { CourseExportFiltersDto, EnrollmentExportFiltersDto, StudentExportFiltersDto } from '../exports/dto/export-query.dto';
import { ExportFilters } from '../exports/export-filters';
import { ImportEntity } from '../imports/import.types';
import { UpdateStudentDto } from '../students/dto/student.dto';
import { BulkChangeSet, fixedFieldsOf, incrementRangeOf } from './bulk-change';

/** The list and export filters, without includeDeleted: a bulk change never matches deleted records. */
const FILTER_TYPES: Record<ImportEntity, Type<object>> = {
  [ImportEntity.Students]: OmitType(StudentExportFiltersDto, ['includeDeleted'] as const),
  [ImportEntity.Courses]: OmitType(CourseExportFiltersDto, ['includeDeleted'] as const),
  [ImportEntity.Enrollments]: OmitType(EnrollmentExportFiltersDto, ['includeDeleted'] as const),
};

/** The bodies of each entity's PATCH: a value set in bulk passes exactly the checks of an update of one record. */
const CHANGE_TYPES: Record<ImportEntity, Type<object>> = {
  [ImportEntity.Students]: UpdateStudentDto,
  [ImportEntity.Courses]: UpdateCourseDto,
  [ImportEntity.Enrollments]: UpdateEnrollmentDto,
};

/** The largest amount an increment may add or take away. */
const MAX_INCREMENT = 1000;

async function checked(type: Type<object>, value: Record<string, unknown>, path: string): Promise<{ value: Record<string, unknown>; problems: FieldProblem[] }> {
  const instance = plainToInstance(type, value) as Record<string, unknown>;
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  // Only what was sent: a DTO's defaults are not part of a filter or a change.
  const sent = Object.fromEntries(Object.keys(value).map((name) => [name, instance[name]]));
  return { value: sent, problems: flattenValidationErrors(errors, path) };
}

/** The filter, checked by the rules of the entity's export filters. */
export async function checkedFilter(entity: ImportEntity, filter: Record<string, unknown>): Promise<ExportFilters> {
  const { value, problems } = await checked(FILTER_TYPES[entity], filter, 'filter');
  if (problems.length > 0) throw ProblemException.validation(problems);
  return value;
}

/**
 * The filter and the change set of an update, every problem of both in one answer: the set field
 * by field by the rules of the entity's PATCH, the increments by the catalogue's ranges.
 */
export async function checkedUpdate(
  entity: ImportEntity,
  body: { filter: Record<string, unknown>; set?: Record<string, unknown>; increment?: Record<string, unknown> },
): Promise<{ filter: ExportFilters; change: BulkChangeSet }> {
  const filter = await checked(FILTER_TYPES[entity], body.filter, 'filter');
  const set = body.set ?? {};
  const increment = body.increment ?? {};
  const { value, problems } = await checked(CHANGE_TYPES[entity], set, 'set');
  problems.unshift(...filter.problems);
  for (const field of Object.keys(set).filter((name) => fixedFieldsOf(entity).includes(name))) {
    problems.push({ field: `set.${field}`, code: 'not_bulk_settable', message: `${field} identifies a record or must be unique: it cannot be set on many records at once` });
  }
  for (const [field, amount] of Object.entries(increment)) {
    const path = `increment.${field}`;
    if (incrementRangeOf(entity, field) === undefined) problems.push({ field: path, code: 'not_incrementable', message: `${field} is not a whole-number field of ${entity}` });
    else if (field in set) problems.push({ field: path, code: 'set_and_incremented', message: `${field} is both set and incremented` });
    else if (typeof amount !== 'number' || !Number.isInteger(amount) || amount === 0 || Math.abs(amount) > MAX_INCREMENT) {
      problems.push({ field: path, code: 'isInt', message: `${field} must be a whole number from -${MAX_INCREMENT} to ${MAX_INCREMENT}, not 0` });
    }
  }
  if (Object.keys(set).length + Object.keys(increment).length === 0) problems.push({ field: 'set', code: 'isNotEmpty', message: 'set or increment must name at least one field' });
  if (problems.length > 0) throw ProblemException.validation(problems);
  return { filter: filter.value, change: { set: value, increment: increment as Record<string, number> } };
}
