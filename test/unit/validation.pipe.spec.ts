import 'reflect-metadata';
import { ArgumentMetadata, ValidationError } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsEmail, IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { ProblemException } from '../../src/common/problem/problem.exception';
import { createValidationPipe, flattenValidationErrors } from '../../src/common/validation/validation.pipe';

describe('flattenValidationErrors', () => {
  it('returns nothing for no errors', () => {
    expect(flattenValidationErrors([])).toEqual([]);
  });

  it('gives one entry per failed constraint of a top-level property', () => {
    const errors: ValidationError[] = [
      { property: 'email', constraints: { isEmail: 'email must be an email', isNotEmpty: 'email should not be empty' } },
      { property: 'name', constraints: { isString: 'name must be a string' } },
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'email', code: 'isEmail', message: 'email must be an email' },
      { field: 'email', code: 'isNotEmpty', message: 'email should not be empty' },
      { field: 'name', code: 'isString', message: 'name must be a string' },
    ]);
  });

  it('turns whitelistValidation into unknown_field', () => {
    const errors: ValidationError[] = [
      { property: 'isAdmin', constraints: { whitelistValidation: 'property isAdmin should not exist' } },
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'isAdmin', code: 'unknown_field', message: 'property isAdmin should not exist' },
    ]);
  });

  it('joins nested properties into a dotted path', () => {
    const errors: ValidationError[] = [
      {
        property: 'evaluationRules',
        children: [
          {
            property: '0',
            children: [
              { property: 'weight', constraints: { max: 'weight must not be greater than 100' } },
              { property: 'extra', constraints: { whitelistValidation: 'property extra should not exist' } },
            ],
          },
          {
            property: '2',
            children: [{ property: 'name', constraints: { isString: 'name must be a string' } }],
          },
        ],
      },
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'evaluationRules.0.weight', code: 'max', message: 'weight must not be greater than 100' },
      { field: 'evaluationRules.0.extra', code: 'unknown_field', message: 'property extra should not exist' },
      { field: 'evaluationRules.2.name', code: 'isString', message: 'name must be a string' },
    ]);
  });

  it('lists a parent’s own constraints before its children’s', () => {
    const errors: ValidationError[] = [
      {
        property: 'address',
        constraints: { isObject: 'address must be an object' },
        children: [{ property: 'city', constraints: { isString: 'city must be a string' } }],
      },
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'address', code: 'isObject', message: 'address must be an object' },
      { field: 'address.city', code: 'isString', message: 'city must be a string' },
    ]);
  });

  it('prefixes the given parent path', () => {
    expect(flattenValidationErrors([{ property: 'x', constraints: { isInt: 'x must be an integer' } }], 'a.b')).toEqual([
      { field: 'a.b.x', code: 'isInt', message: 'x must be an integer' },
    ]);
  });

  it('skips a node with neither constraints nor children', () => {
    expect(flattenValidationErrors([{ property: 'x' }, { property: 'y', children: [] }])).toEqual([]);
  });
});

class RuleDto {
  @IsString()
  name!: string;

  @IsInt()
  @Min(0)
  @Max(100)
  weight!: number;
}

class CourseDto {
  @IsString()
  title!: string;

  @IsOptional()
  @IsEmail()
  contact?: string;

  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => RuleDto)
  evaluationRules!: RuleDto[];
}

const BODY: ArgumentMetadata = { type: 'body', metatype: CourseDto };

async function problemOf(value: unknown): Promise<ProblemException['problem']> {
  const pipe = createValidationPipe();
  let caught: unknown;
  try {
    await pipe.transform(value, BODY);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProblemException);
  return (caught as ProblemException).problem;
}

describe('createValidationPipe', () => {
  it('returns an instance of the DTO class for a valid body', async () => {
    const result = await createValidationPipe().transform(
      { title: 'Algebra', evaluationRules: [{ name: 'exam', weight: 100 }] },
      BODY,
    );
    expect(result).toBeInstanceOf(CourseDto);
    expect(result.evaluationRules[0]).toBeInstanceOf(RuleDto);
    expect(result).toEqual({ title: 'Algebra', evaluationRules: [{ name: 'exam', weight: 100 }] });
  });

  it('throws a 400 validation_failed problem with dotted nested paths', async () => {
    const problem = await problemOf({
      title: 'Algebra',
      evaluationRules: [{ name: 'exam', weight: 101 }],
    });
    expect(problem).toEqual({
      status: 400,
      code: 'validation_failed',
      title: 'Bad Request',
      detail: 'The request has 1 invalid field.',
      errors: [{ field: 'evaluationRules.0.weight', code: 'max', message: 'weight must not be greater than 100' }],
    });
  });

  it('rejects an unknown field, also inside a nested object, as unknown_field', async () => {
    const problem = await problemOf({
      title: 'Algebra',
      isAdmin: true,
      evaluationRules: [{ name: 'exam', weight: 50 }, { name: 'lab', weight: 50, bonus: 1 }],
    });
    expect(problem.detail).toBe('The request has 2 invalid fields.');
    expect(problem.errors).toEqual([
      { field: 'isAdmin', code: 'unknown_field', message: 'property isAdmin should not exist' },
      { field: 'evaluationRules.1.bonus', code: 'unknown_field', message: 'property bonus should not exist' },
    ]);
  });

  it('reports every failed rule of every field', async () => {
    const problem = await problemOf({ title: 7, contact: 'not-an-email', evaluationRules: [] });
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual([
      { field: 'title', code: 'isString', message: 'title must be a string' },
      { field: 'contact', code: 'isEmail', message: 'contact must be an email' },
      { field: 'evaluationRules', code: 'arrayNotEmpty', message: 'evaluationRules should not be empty' },
    ]);
    expect(problem.detail).toBe('The request has 3 invalid fields.');
  });

  it('does not leak the rejected values into the problem', async () => {
    const problem = await problemOf({ title: 'secret-title-value', contact: 'secret@@value', evaluationRules: [] });
    expect(JSON.stringify(problem)).not.toContain('secret@@value');
  });

  it('does not validate a primitive parameter', async () => {
    const pipe = createValidationPipe();
    expect(await pipe.transform('abc', { type: 'query', metatype: String, data: 'q' })).toBe('abc');
  });
});
