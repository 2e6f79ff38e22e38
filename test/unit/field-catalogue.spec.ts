import { FieldSpec } from '../../src/common/fields/field-spec';
import { ProblemException } from '../../src/common/problem/problem.exception';
import { createValidationPipe } from '../../src/common/validation/validation.pipe';
import { COURSE_FIELDS } from '../../src/courses/course-fields.catalogue';
import { CreateCourseDto } from '../../src/courses/dto/course.dto';
import { CreateEnrollmentDto } from '../../src/enrollments/dto/enrollment.dto';
import { ENROLLMENT_FIELDS } from '../../src/enrollments/enrollment-fields.catalogue';
import { CellValue, ImportEntity } from '../../src/imports/import.types';
import { mapColumns } from '../../src/imports/rows/column-mapping';
import { ImportMode } from '../../src/imports/rows/import-mode';
import { createRowValidator } from '../../src/imports/rows/row-validator';
import { CreateStudentDto } from '../../src/students/dto/student.dto';
import { STUDENT_FIELDS } from '../../src/students/student-fields.catalogue';

const TODAY = new Date().toISOString().slice(0, 10);

interface Entity {
  entity: ImportEntity;
  dto: new () => object;
  fields: Readonly<Record<string, FieldSpec>>;
  /** A valid create body; each example replaces one of its fields. */
  body: Record<string, unknown>;
}

const ENTITIES: readonly Entity[] = [
  {
    entity: ImportEntity.Students,
    dto: CreateStudentDto,
    fields: STUDENT_FIELDS,
    body: { studentId: 'AB123456', email: 'maria@school.example', firstName: 'Μαρία', lastName: 'Παπαδοπούλου' },
  },
  {
    entity: ImportEntity.Courses,
    dto: CreateCourseDto,
    fields: COURSE_FIELDS,
    body: { courseCode: 'MATH101', courseName: 'Άλγεβρα', semester: 'Α΄ Τετράμηνο' },
  },
  {
    entity: ImportEntity.Enrollments,
    dto: CreateEnrollmentDto,
    fields: ENROLLMENT_FIELDS,
    body: { studentId: 'AB123456', courseCode: 'MATH101', enrolledAt: '2025-09-11' },
  },
];

/** Null is a value both sides read alike only where it means "no value": refused when required, a clearing elsewhere. */
const nullExample = (field: FieldSpec): { valid: unknown[]; invalid: unknown[] } =>
  field.presence === 'required' ? { valid: [], invalid: [null] } : field.presence === 'nullable' ? { valid: [null], invalid: [] } : { valid: [], invalid: [] };

const CASES = ENTITIES.flatMap((entity) =>
  Object.values(entity.fields).flatMap((field) => {
    const nulls = nullExample(field);
    return [
      ...[...field.examples.valid, ...nulls.valid].map((value) => ({ ...entity, field, value, valid: true })),
      ...[...field.examples.invalid, ...nulls.invalid].map((value) => ({ ...entity, field, value, valid: false })),
    ];
  }),
);

const pipe = createValidationPipe();

/** Whether the API takes the value; a problem with another field than this one fails the test, as the body is otherwise valid. */
async function apiAccepts(dto: new () => object, body: Record<string, unknown>, field: string): Promise<boolean> {
  try {
    await pipe.transform(body, { type: 'body', metatype: dto });
    return true;
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    const fields = (error.problem.errors ?? []).map((problem) => problem.field.split('.')[0]);
    expect(fields.filter((other) => other !== field)).toEqual([]);
    return false;
  }
}

function importAccepts(entity: ImportEntity, field: string, value: unknown): boolean {
  const { mapping } = mapColumns(entity, [field], ImportMode.Update);
  return createRowValidator(entity, mapping, { today: TODAY })([value as CellValue], 1).issues.length === 0;
}

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

describe('one rule per field: the API and imports give every catalogue example the same verdict', () => {
  it.each(CASES.map((example) => [example.entity, example.field.name, shown(example.value), example.valid ? 'valid' : 'invalid', example] as const))(
    '%s.%s = %s is %s',
    async (_entity, _field, _shown, _verdict, { entity, dto, body, field, value, valid }) => {
      expect({ api: await apiAccepts(dto, { ...body, [field.name]: value }, field.name), import: importAccepts(entity, field.name, value) }).toEqual({
        api: valid,
        import: valid,
      });
    },
  );

  it('has a valid and an invalid example of every field', () => {
    const missing = ENTITIES.flatMap(({ entity, fields }) =>
      Object.values(fields)
        .filter((field) => field.examples.valid.length === 0 || field.examples.invalid.length === 0)
        .map((field) => `${entity}.${field.name}`),
    );
    expect(missing).toEqual([]);
  });
});
