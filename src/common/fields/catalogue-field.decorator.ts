import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import { IsBoolean, IsEnum, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { COURSE_CODE_MAX_LENGTH, COURSE_CODE_PATTERN, normalizeCourseCode, toCourseCode } from '../../courses/course-code';
import { normalizeStudentId, STUDENT_ID_MAX_LENGTH, STUDENT_ID_PATTERN, toStudentId } from '../../students/student-id';
import { IsCalendarDate, IsNotFutureDate } from '../validation/date.validators';
import { IsOmittable } from '../validation/omittable.decorator';
import { toBoolean, toInteger, toTrimmed, toTrimmedLowercase, toTrimmedOrNull } from '../validation/transforms';
import {
  EMAIL_MAX_LENGTH,
  FieldSpec,
  FIRST_STUDY_YEAR,
  isEmailAddress,
  LAST_STUDY_YEAR,
  PHONE_MAX_LENGTH,
  PHONE_MESSAGE,
  PHONE_PATTERN,
} from './field-spec';

/** Named isEmail, as @IsEmail was, but the same check that imports make. */
const IsEmailAddress = (name: string): PropertyDecorator =>
  ValidateBy(
    { name: 'isEmail', validator: { validate: (value: unknown) => typeof value === 'string' && isEmailAddress(value) } },
    { message: `${name} must be an email address such as name@school.example` },
  );

/** Text trimmed; a nullable field's empty text is null, so that clearing it in a form stores "no value". */
const trimmed = (field: FieldSpec): ((params: TransformFnParams) => unknown) => (field.presence === 'nullable' ? toTrimmedOrNull : toTrimmed);

/** Swagger's description of the field's kind and limits. */
function schemaOf(field: FieldSpec): ApiPropertyOptions {
  switch (field.kind) {
    case 'text':
      return { type: String, maxLength: field.maxLength };
    case 'email':
      return { type: String, format: 'email', maxLength: EMAIL_MAX_LENGTH };
    case 'phone':
      return { type: String, maxLength: PHONE_MAX_LENGTH, pattern: PHONE_PATTERN.source };
    case 'studentId':
      return { type: String, maxLength: STUDENT_ID_MAX_LENGTH };
    case 'courseCode':
      return { type: String, minLength: 1, maxLength: COURSE_CODE_MAX_LENGTH };
    case 'date':
      return { type: String, format: 'date' };
    case 'integer':
      return { type: 'integer', minimum: field.minimum, maximum: field.maximum };
    case 'studyYear':
      return { type: 'integer', minimum: FIRST_STUDY_YEAR, maximum: LAST_STUDY_YEAR };
    case 'boolean':
      return { type: Boolean };
    case 'status':
      return { enum: Object.keys(field.valueLabels), enumName: field.enumName };
    case 'evaluationRules':
      throw new Error(`${field.name}: nested values keep their own decorators in the DTO`);
  }
}

/** The transform and checks of the field's kind, the same as its import rule makes. */
function checksOf(field: FieldSpec): PropertyDecorator[] {
  const required = field.presence === 'required' ? [IsNotEmpty()] : [];
  switch (field.kind) {
    case 'text':
      return [Transform(trimmed(field)), IsString(), ...required, MaxLength(field.maxLength)];
    case 'email':
      return [Transform(toTrimmedLowercase), IsEmailAddress(field.name), MaxLength(EMAIL_MAX_LENGTH)];
    case 'phone':
      return [
        Transform(trimmed(field)),
        IsString(),
        MaxLength(PHONE_MAX_LENGTH),
        Matches(PHONE_PATTERN, { message: `${field.name} ${PHONE_MESSAGE}` }),
      ];
    case 'studentId':
      return [
        Transform(toStudentId),
        IsString(),
        IsNotEmpty(),
        MaxLength(STUDENT_ID_MAX_LENGTH),
        Matches(STUDENT_ID_PATTERN, { message: `${field.name} may contain only letters, digits, "_" and "-"` }),
      ];
    case 'courseCode':
      return [
        Transform(toCourseCode),
        IsString(),
        IsNotEmpty(),
        MaxLength(COURSE_CODE_MAX_LENGTH),
        Matches(COURSE_CODE_PATTERN, { message: `${field.name} may contain only letters, digits, "_", "-" and "."` }),
      ];
    case 'date':
      return [IsCalendarDate(), IsNotFutureDate()];
    case 'integer':
      return [IsInt(), Min(field.minimum), Max(field.maximum)];
    case 'studyYear':
      return [IsInt(), Min(FIRST_STUDY_YEAR), Max(LAST_STUDY_YEAR)];
    case 'boolean':
      return [IsBoolean()];
    case 'status':
      return [IsEnum(Object.fromEntries(Object.keys(field.valueLabels).map((value) => [value, value])))];
    case 'evaluationRules':
      return [];
  }
}

const PRESENCE: Record<FieldSpec['presence'], { api: ApiPropertyOptions; check: PropertyDecorator[] }> = {
  required: { api: { required: true }, check: [] },
  nullable: { api: { required: false, nullable: true }, check: [IsOptional()] },
  // Left out, it takes the column's default; null is still checked, and refused.
  defaulted: { api: { required: false }, check: [IsOmittable()] },
};

// Imports leave no date to the future either; the API says so where it takes one.
const NOT_IN_THE_FUTURE = 'Not in the future.';

/** A create DTO's property as the field catalogue states it: Swagger text, transform and checks. */
export function CatalogueField(field: FieldSpec, description?: string): PropertyDecorator {
  const presence = PRESENCE[field.presence];
  const text = description ?? (field.kind === 'date' ? NOT_IN_THE_FUTURE : undefined);
  const described = text === undefined ? {} : { description: text };
  const example = field.example === undefined ? {} : { example: field.example };
  const byDefault = field.default === undefined ? {} : { default: field.default };
  const { type, ...limits } = schemaOf(field);
  // The order of the spec's keys as the Swagger plugin wrote them when these DTOs were hand-written.
  return applyDecorators(
    ApiProperty({ ...(type === undefined ? {} : { type }), ...presence.api, ...described, ...limits, ...example, ...byDefault } as ApiPropertyOptions),
    ...presence.check,
    ...checksOf(field),
  );
}

const STORED_FORM: Partial<Record<FieldSpec['kind'], (value: string) => string>> = { studentId: normalizeStudentId, courseCode: normalizeCourseCode };

/** The API's example as it reads back once stored (keys uppercased), or what a record given none holds. */
function storedExampleOf(field: FieldSpec): unknown {
  if (field.example === undefined) return field.default ?? (field.presence === 'nullable' ? null : undefined);
  const storedForm = STORED_FORM[field.kind];
  return storedForm !== undefined && typeof field.example === 'string' ? storedForm(field.example) : field.example;
}

/**
 * A response DTO's property: the value's type and range, always present, null where the field may
 * have no value. The input's length and pattern limits are the create DTO's to state.
 */
export function CatalogueResponseField(field: FieldSpec, description?: string): PropertyDecorator {
  const { type, maxLength: _maxLength, minLength: _minLength, pattern: _pattern, format, ...range } = schemaOf(field);
  const example = storedExampleOf(field);
  return ApiProperty({
    ...(type === undefined ? {} : { type }),
    ...(field.presence === 'nullable' ? { nullable: true } : {}),
    ...(description === undefined ? {} : { description }),
    ...(format === 'date' ? { format } : {}),
    ...range,
    ...(example === undefined ? {} : { example }),
  } as ApiPropertyOptions);
}

/**
 * The query-string form of the checks: text arrives as text, so booleans and integers are read
 * from it first. A filter is looked up, not stored, so a value of no record's form finds nothing
 * rather than being refused.
 */
function filterChecksOf(field: FieldSpec): PropertyDecorator[] {
  switch (field.kind) {
    case 'text':
      return [Transform(toTrimmed), IsString(), MaxLength(field.maxLength)];
    case 'studentId':
      return [Transform(toStudentId), IsString(), MaxLength(STUDENT_ID_MAX_LENGTH)];
    case 'courseCode':
      return [Transform(toCourseCode), IsString(), MaxLength(COURSE_CODE_MAX_LENGTH)];
    case 'integer':
      return [Transform(toInteger), IsInt(), Min(field.minimum), Max(field.maximum)];
    case 'studyYear':
      return [Transform(toInteger), IsInt(), Min(FIRST_STUDY_YEAR), Max(LAST_STUDY_YEAR)];
    case 'boolean':
      return [Transform(toBoolean), IsBoolean()];
    case 'status':
      return checksOf(field);
    default:
      throw new Error(`${field.name}: ${field.kind} fields have no equality filter`);
  }
}

/** A list or export query's filter on the field: equal to the value given. */
export function CatalogueFilter(field: FieldSpec): PropertyDecorator {
  const example = field.example === undefined ? {} : { example: field.example };
  const description = `Only records whose ${field.label.en.toLowerCase()} is this value.`;
  return applyDecorators(ApiProperty({ ...schemaOf(field), required: false, description, ...example } as ApiPropertyOptions), IsOptional(), ...filterChecksOf(field));
}
