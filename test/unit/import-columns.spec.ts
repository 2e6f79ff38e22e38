import { ImportEntity, IssueSeverity } from '../../src/imports/import.types';
import { mapColumns } from '../../src/imports/rows/column-mapping';
import { importFields, naturalKeyField, naturalKeyFields, normalizeHeader } from '../../src/imports/rows/import-fields';
import { ImportMode } from '../../src/imports/rows/import-mode';

const ENTITIES = [ImportEntity.Students, ImportEntity.Courses, ImportEntity.Enrollments];

/** The field each header maps to, in header order (null for an ignored column). */
const fieldsOf = (entity: ImportEntity, headers: string[]) =>
  mapColumns(entity, headers, ImportMode.Update).mapping.columns.map((column) => column.field);

const fieldOf = (entity: ImportEntity, header: string) => fieldsOf(entity, [header])[0];

describe('normalizeHeader', () => {
  it.each([
    ['Επώνυμο:', 'επωνυμο'],
    ['first_name', 'firstname'],
    ['First Name', 'firstname'],
    ['firstName', 'firstname'],
    ['  E-mail * ', 'email'],
    ['Ηλ. Ταχυδρομείο:', 'ηλταχυδρομειο'],
    ['Father’s name', 'fathersname'],
    ["Father's name", 'fathersname'],
    ['Ώρες/Εβδομάδα', 'ωρεσεβδομαδα'],
    ['\uFEFFstudentId', 'studentid'],
  ])('%j → %j', (header, normalized) => {
    expect(normalizeHeader(header)).toBe(normalized);
  });

  it('ignores case and accents of Greek headers, final sigma included', () => {
    expect(normalizeHeader('ΕΤΟΣ ΣΠΟΥΔΩΝ')).toBe(normalizeHeader('Έτος Σπουδών:'));
    expect(normalizeHeader('ΕΤΟΣΣΠΟΥΔΩΝ')).toBe(normalizeHeader('έτος σπουδών'));
  });
});

describe('importFields', () => {
  it('lists the fields of each entity in a fixed order, the natural key first', () => {
    expect(importFields(ImportEntity.Students).map((field) => field.name)).toEqual([
      'studentId',
      'email',
      'firstName',
      'lastName',
      'fatherName',
      'mobilePhone',
      'phone',
      'enrollmentDate',
      'studyYear',
      'isActive',
      'healthIssue',
      'note',
      'academicYear',
      'classDivision',
    ]);
    expect(importFields(ImportEntity.Courses).map((field) => field.name)).toEqual([
      'courseCode',
      'courseName',
      'semester',
      'credits',
      'description',
      'hoursPerWeek',
      'periodsPerWeek',
      'evaluationRules',
      'isActive',
    ]);
    expect(importFields(ImportEntity.Enrollments).map((field) => field.name)).toEqual(['studentId', 'courseCode', 'enrolledAt', 'status']);
  });

  it('marks the fields a new record needs', () => {
    const requiredOf = (entity: ImportEntity) =>
      importFields(entity)
        .filter((field) => field.requiredOnCreate)
        .map((field) => field.name);
    expect(requiredOf(ImportEntity.Students)).toEqual(['studentId', 'email', 'firstName', 'lastName']);
    expect(requiredOf(ImportEntity.Courses)).toEqual(['courseCode', 'courseName', 'semester']);
    expect(requiredOf(ImportEntity.Enrollments)).toEqual(['studentId', 'courseCode']);
  });

  it.each(ENTITIES)('gives no two fields of %s one alias', (entity) => {
    const owners = new Map<string, string>();
    for (const field of importFields(entity)) {
      for (const alias of [field.name, ...field.aliases]) {
        const key = normalizeHeader(alias);
        expect([key, owners.get(key) ?? field.name]).toEqual([key, field.name]);
        owners.set(key, field.name);
      }
    }
  });

  it.each(ENTITIES)('maps every alias of %s to its own field', (entity) => {
    for (const field of importFields(entity)) {
      for (const alias of field.aliases) expect([alias, fieldOf(entity, alias)]).toEqual([alias, field.name]);
    }
  });
});

describe('naturalKeyField', () => {
  it('names the natural key, the pair for enrollments', () => {
    expect(naturalKeyField(ImportEntity.Students)).toBe('studentId');
    expect(naturalKeyField(ImportEntity.Courses)).toBe('courseCode');
    expect(naturalKeyField(ImportEntity.Enrollments)).toBe('studentId+courseCode');
    expect(naturalKeyFields(ImportEntity.Enrollments)).toEqual(['studentId', 'courseCode']);
  });
});

describe('mapColumns aliases', () => {
  it('maps the headers of the Greek registration spreadsheet', () => {
    const headers = [
      'Επώνυμο:',
      'Όνομα:',
      'Όνομα Πατέρα:',
      'Ηλ. Ταχυδρομείο:',
      'Αρ. Κινητού Τηλεφώνου:',
      'Αρ. Σταθερού Τηλεφώνου:',
      'Έτος Σπουδών:',
      'Αριθμός Δελτίου Ταυτότητας:',
    ];
    expect(fieldsOf(ImportEntity.Students, headers)).toEqual([
      'lastName',
      'firstName',
      'fatherName',
      'email',
      'mobilePhone',
      'phone',
      'studyYear',
      'studentId',
    ]);
  });

  it('maps camelCase, snake_case and English labels of students', () => {
    expect(fieldsOf(ImportEntity.Students, ['student_id', 'E-mail', 'First name', 'Surname', "Father's name", 'Mobile', 'Phone'])).toEqual([
      'studentId',
      'email',
      'firstName',
      'lastName',
      'fatherName',
      'mobilePhone',
      'phone',
    ]);
    expect(fieldsOf(ImportEntity.Students, ['Enrollment date', 'Study year', 'Active', 'Academic year', 'Class', 'Health issue', 'Notes'])).toEqual([
      'enrollmentDate',
      'studyYear',
      'isActive',
      'academicYear',
      'classDivision',
      'healthIssue',
      'note',
    ]);
  });

  it('maps Greek labels of the other student fields', () => {
    expect(fieldsOf(ImportEntity.Students, ['Ημερομηνία Εγγραφής', 'Ενεργός', 'Θέματα Υγείας', 'Παρατηρήσεις', 'Ακαδημαϊκό Έτος', 'Τμήμα'])).toEqual([
      'enrollmentDate',
      'isActive',
      'healthIssue',
      'note',
      'academicYear',
      'classDivision',
    ]);
  });

  it('maps Greek and English course headers', () => {
    expect(
      fieldsOf(ImportEntity.Courses, [
        'Κωδικός Μαθήματος',
        'Τίτλος Μαθήματος',
        'Εξάμηνο',
        'Διδακτικές Μονάδες',
        'Περιγραφή',
        'Ώρες ανά Εβδομάδα',
        'Περίοδοι ανά Εβδομάδα',
        'Κανόνες Αξιολόγησης',
        'Ενεργό',
      ]),
    ).toEqual(importFields(ImportEntity.Courses).map((field) => field.name));
    expect(fieldsOf(ImportEntity.Courses, ['course_code', 'Όνομα Μαθήματος', 'ECTS', 'hours_per_week', 'Evaluation rules', 'is_active'])).toEqual([
      'courseCode',
      'courseName',
      'credits',
      'hoursPerWeek',
      'evaluationRules',
      'isActive',
    ]);
  });

  it('maps Greek and English enrollment headers', () => {
    expect(fieldsOf(ImportEntity.Enrollments, ['Αριθμός Μητρώου', 'Κωδικός Μαθήματος', 'Ημερομηνία Εγγραφής', 'Κατάσταση'])).toEqual([
      'studentId',
      'courseCode',
      'enrolledAt',
      'status',
    ]);
    expect(fieldsOf(ImportEntity.Enrollments, ['Student ID', 'Course code', 'enrolled_at', 'Status'])).toEqual([
      'studentId',
      'courseCode',
      'enrolledAt',
      'status',
    ]);
  });
});

describe('mapColumns issues', () => {
  it('maps each field to its column and warns of an unknown column, naming it', () => {
    const { mapping, issues } = mapColumns(ImportEntity.Courses, ['Code', 'Colour', 'Title', 'Semester'], ImportMode.Create);
    expect(mapping.columns).toEqual([
      { index: 0, header: 'Code', field: 'courseCode' },
      { index: 1, header: 'Colour', field: null },
      { index: 2, header: 'Title', field: 'courseName' },
      { index: 3, header: 'Semester', field: 'semester' },
    ]);
    expect([...mapping.fieldColumns]).toEqual([
      ['courseCode', 0],
      ['courseName', 2],
      ['semester', 3],
    ]);
    expect(issues).toEqual([
      {
        row: 0,
        column: 'Colour',
        field: null,
        severity: IssueSeverity.Warning,
        code: 'unknown_column',
        message: expect.stringContaining('"Colour"'),
        value: null,
      },
    ]);
  });

  it('treats a column without a header as unknown', () => {
    const { mapping, issues } = mapColumns(ImportEntity.Enrollments, ['studentId', '', 'courseCode'], ImportMode.Create);
    expect(mapping.columns[1].field).toBeNull();
    expect(issues).toEqual([
      expect.objectContaining({ row: 0, column: '', code: 'unknown_column', severity: IssueSeverity.Warning, message: expect.stringContaining('Column 2') }),
    ]);
  });

  it('refuses two columns for one field, keeping the first', () => {
    const headers = ['Αριθμός Δελτίου Ταυτότητας:', 'student_id', 'Email', 'Όνομα:', 'Επώνυμο:'];
    const { mapping, issues } = mapColumns(ImportEntity.Students, headers, ImportMode.Upsert);
    expect(mapping.fieldColumns.get('studentId')).toBe(0);
    expect(mapping.columns[1].field).toBeNull();
    expect(issues).toEqual([
      expect.objectContaining({ row: 0, column: 'student_id', field: 'studentId', severity: IssueSeverity.Error, code: 'duplicate_column' }),
    ]);
    expect(issues[0].message).toContain('Αριθμός Δελτίου Ταυτότητας:');
  });

  it.each([ImportMode.Create, ImportMode.Upsert])('needs every required field in %s mode', (mode) => {
    const { issues } = mapColumns(ImportEntity.Students, ['studentId', 'firstName'], mode);
    expect(issues.map((issue) => [issue.code, issue.field, issue.severity, issue.column])).toEqual([
      ['missing_column', 'email', IssueSeverity.Error, null],
      ['missing_column', 'lastName', IssueSeverity.Error, null],
    ]);
  });

  it('needs only the natural key in update mode', () => {
    expect(mapColumns(ImportEntity.Students, ['studentId', 'phone'], ImportMode.Update).issues).toEqual([]);
    expect(mapColumns(ImportEntity.Courses, ['credits'], ImportMode.Update).issues).toEqual([
      expect.objectContaining({ code: 'missing_column', field: 'courseCode' }),
    ]);
    const { issues } = mapColumns(ImportEntity.Enrollments, ['status'], ImportMode.Update);
    expect(issues.map((issue) => issue.field)).toEqual(['studentId', 'courseCode']);
  });
});
