import { CellValue, ImportEntity, IssueSeverity } from '../../src/imports/import.types';
import { mapColumns } from '../../src/imports/rows/column-mapping';
import { importFields } from '../../src/imports/rows/import-fields';
import { cellRule, memoizeCells } from '../../src/imports/rows/cell-rule';
import { ImportMode } from '../../src/imports/rows/import-mode';
import { createRowValidator, ValidatedRow } from '../../src/imports/rows/row-validator';
import { isValidStudentId, normalizeStudentId } from '../../src/students/student-id';

const TODAY = '2026-05-01';

function validate(entity: ImportEntity, headers: string[], cells: CellValue[]): ValidatedRow {
  const { mapping } = mapColumns(entity, headers, ImportMode.Update);
  return createRowValidator(entity, mapping, { today: TODAY })(cells, 7);
}

const fieldIndex = (entity: ImportEntity, field: string) => importFields(entity).findIndex((candidate) => candidate.name === field);

/** What one cell of one field becomes; fails the test when the cell is rejected. */
function valueOf(entity: ImportEntity, field: string, cell: CellValue): unknown {
  const { values, issues } = validate(entity, [field], [cell]);
  expect(issues).toEqual([]);
  return values?.[fieldIndex(entity, field)];
}

/** The code of the one issue a cell of one field raises. */
function codeOf(entity: ImportEntity, field: string, cell: CellValue): string {
  const { values, issues } = validate(entity, [field], [cell]);
  expect(values).toBeNull();
  expect(issues).toHaveLength(1);
  return issues[0].code;
}

const student = (field: string, cell: CellValue) => valueOf(ImportEntity.Students, field, cell);
const studentCode = (field: string, cell: CellValue) => codeOf(ImportEntity.Students, field, cell);
const course = (field: string, cell: CellValue) => valueOf(ImportEntity.Courses, field, cell);
const courseCode = (field: string, cell: CellValue) => codeOf(ImportEntity.Courses, field, cell);
const enrollment = (field: string, cell: CellValue) => valueOf(ImportEntity.Enrollments, field, cell);
const enrollmentCode = (field: string, cell: CellValue) => codeOf(ImportEntity.Enrollments, field, cell);

describe('createRowValidator', () => {
  it('reads a Greek registration row into values aligned with importFields', () => {
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
    const row = [' Παπαδοπούλου ', 'Μαρία', '', 'Maria.P@School.Example', '+30 690 1234567', 6901234567, "Β'", 'αβ123456'];
    expect(validate(ImportEntity.Students, headers, row)).toEqual({
      values: [
        'AB123456',
        'maria.p@school.example',
        'Μαρία',
        'Παπαδοπούλου',
        null,
        '+30 690 1234567',
        '6901234567',
        undefined,
        2,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ],
      issues: [],
    });
  });

  it('keeps absent columns undefined and turns empty cells into null', () => {
    const headers = ['studentId', 'note', 'isActive', 'studyYear'];
    const { values } = validate(ImportEntity.Students, headers, ['ab1', '  ', null]);
    expect(values?.[fieldIndex(ImportEntity.Students, 'note')]).toBeNull();
    expect(values?.[fieldIndex(ImportEntity.Students, 'isActive')]).toBeNull();
    // A missing trailing cell is an empty cell of a column the file has.
    expect(values?.[fieldIndex(ImportEntity.Students, 'studyYear')]).toBeNull();
    expect(values?.[fieldIndex(ImportEntity.Students, 'email')]).toBeUndefined();
  });

  // The database gives a new record the default and keeps an existing record's value.
  it('leaves empty cells of non-null fields as null, for the database to default or keep', () => {
    expect(course('credits', '')).toBeNull();
    expect(course('isActive', undefined)).toBeNull();
    expect(course('evaluationRules', '')).toBeNull();
    expect(enrollment('status', '')).toBeNull();
    expect(enrollment('enrolledAt', null)).toBeNull();
  });

  it('reports every error of a row, each with its column, field and cell', () => {
    const headers = ['Αριθμός Δελτίου Ταυτότητας:', 'E-mail', 'Όνομα:', 'Έτος Σπουδών:'];
    const { values, issues } = validate(ImportEntity.Students, headers, ['ΑΒ 12', 'not-an-email', '', 'Ζ΄']);
    expect(values).toBeNull();
    const error = (column: string, field: string, code: string, value: string | null) => ({
      row: 7,
      column,
      field,
      severity: IssueSeverity.Error,
      code,
      message: expect.stringMatching(new RegExp(`^${field} `)),
      value,
    });
    expect(issues).toEqual([
      error('Αριθμός Δελτίου Ταυτότητας:', 'studentId', 'invalid_student_id', 'ΑΒ 12'),
      error('E-mail', 'email', 'invalid_email', 'not-an-email'),
      error('Όνομα:', 'firstName', 'required', null),
      error('Έτος Σπουδών:', 'studyYear', 'invalid_study_year', 'Ζ΄'),
    ]);
    expect(issues[2].message).toBe('firstName is required; fill it in');
  });

  it('cuts the reported value to 200 characters without splitting a character', () => {
    const [issue] = validate(ImportEntity.Students, ['firstName'], ['x'.repeat(151) + '😀'.repeat(60)]).issues;
    expect(issue.code).toBe('too_long');
    expect(issue.value).toBe('x'.repeat(151) + '😀'.repeat(24));
  });

  it('reports a nested value as JSON text', () => {
    const [issue] = validate(ImportEntity.Students, ['phone'], [{ number: '210' }]).issues;
    expect([issue.code, issue.value]).toEqual(['invalid_type', '{"number":"210"}']);
  });

  it('refuses a today that is not a date', () => {
    const { mapping } = mapColumns(ImportEntity.Students, ['studentId'], ImportMode.Update);
    expect(() => createRowValidator(ImportEntity.Students, mapping, { today: '01/05/2026' })).toThrow(/YYYY-MM-DD/);
  });

  it('answers a repeated cell alike, valid or not', () => {
    const { mapping } = mapColumns(ImportEntity.Students, ['studyYear'], ImportMode.Update);
    const validateRow = createRowValidator(ImportEntity.Students, mapping, { today: TODAY });
    const index = fieldIndex(ImportEntity.Students, 'studyYear');
    for (let pass = 0; pass < 2; pass++) {
      expect(validateRow(["Γ'"], 2).values?.[index]).toBe(3);
      expect(validateRow(['9'], 3).issues.map((issue) => [issue.code, issue.row])).toEqual([['invalid_study_year', 3]]);
    }
  });
});

describe('student ids', () => {
  it('folds Greek look-alike capitals and lowercase to Latin', () => {
    expect(student('studentId', 'ΑΒ123456')).toBe('AB123456');
    expect(student('studentId', 'αβ123456')).toBe('AB123456');
    expect(student('studentId', ' aB123456 ')).toBe('AB123456');
    expect(student('studentId', 'ΧΡ-12_3')).toBe('XP-12_3');
    expect(student('studentId', 'ΓΔ1')).toBe('ΓΔ1');
  });

  it('gives exactly what normalizeStudentId and isValidStudentId give', () => {
    const samples = ['ΑΒ123456', 'αβγδεζηθικλμνξοπρστυφχψω', 'ςσΣ', 'άέή', 'Straße', 'ñandú', 'ǆ', 'ﬁ', 'Ωmega_9', 'ΐ1', 'x-y_z', 'ab\u0301', 'B00000001', 'AB-12_3', 'A'.repeat(50), 'A'.repeat(51), 'AB.1'];
    for (const sample of samples) {
      const { values } = validate(ImportEntity.Students, ['studentId'], [sample]);
      const expected = isValidStudentId(normalizeStudentId(sample)) ? normalizeStudentId(sample) : undefined;
      expect([sample, values?.[0]]).toEqual([sample, expected]);
    }
  });

  it('takes a numeric cell as its digits', () => {
    expect(student('studentId', 123456)).toBe('123456');
    expect(enrollment('studentId', 1e21)).toBe('1000000000000000000000');
  });

  it.each(['AB 123', 'AB/123', 'A'.repeat(51), 'αβ.1'])('refuses %j', (cell) => {
    expect(studentCode('studentId', cell)).toBe('invalid_student_id');
  });

  it('requires the student id of an enrollment', () => {
    expect(enrollmentCode('studentId', '')).toBe('required');
  });
});

describe('course codes', () => {
  it('uppercases', () => {
    expect(course('courseCode', ' math101 ')).toBe('MATH101');
    expect(enrollment('courseCode', 'phys.2-a_b')).toBe('PHYS.2-A_B');
    expect(course('courseCode', 101)).toBe('101');
  });

  it.each(['MATH 101', 'MATH/101', 'M'.repeat(21)])('refuses %j', (cell) => {
    expect(courseCode('courseCode', cell)).toBe('invalid_course_code');
  });

  it('requires it', () => {
    expect(enrollmentCode('courseCode', null)).toBe('required');
  });
});

describe('emails', () => {
  it('lowercases', () => {
    expect(student('email', ' Maria.Papadopoulou@School.Example ')).toBe('maria.papadopoulou@school.example');
  });

  it.each(['maria', 'maria@school', 'ma ria@school.example', 'a@@school.example', '@school.example', 'maria@school..example', 'maria@.example'])(
    'refuses %j',
    (cell) => {
      expect(studentCode('email', cell)).toBe('invalid_email');
    },
  );

  it('refuses more than 254 characters', () => {
    expect(studentCode('email', `${'a'.repeat(64)}@${'b'.repeat(186)}.com`)).toBe('too_long');
    expect(student('email', `${'a'.repeat(64)}@${'b'.repeat(185)}.com`)).toHaveLength(254);
  });
});

describe('text fields', () => {
  it('trims', () => {
    expect(student('firstName', '\t Μαρία \u00a0')).toBe('Μαρία');
  });

  it('says the limit when text is too long, counting characters', () => {
    expect(student('lastName', 'Π'.repeat(100))).toHaveLength(100);
    expect(student('lastName', '😀'.repeat(100))).toHaveLength(200);
    const [issue] = validate(ImportEntity.Students, ['lastName'], ['Π'.repeat(101)]).issues;
    expect([issue.code, issue.message]).toEqual(['too_long', 'lastName must be at most 100 characters; shorten it']);
    expect(studentCode('academicYear', '2025-2026 and 2026-27')).toBe('too_long');
    expect(courseCode('semester', 'x'.repeat(51))).toBe('too_long');
    expect(courseCode('courseName', 'x'.repeat(201))).toBe('too_long');
    expect(course('description', 'x'.repeat(2000))).toHaveLength(2000);
    expect(studentCode('note', 'x'.repeat(2001))).toBe('too_long');
  });

  it('takes numbers, booleans and dates as text without artefacts', () => {
    expect(student('classDivision', 12)).toBe('12');
    expect(student('classDivision', 2.5)).toBe('2.5');
    expect(student('note', 1.5e-7)).toBe('0.00000015');
    expect(student('note', false)).toBe('false');
    expect(student('academicYear', new Date(Date.UTC(2025, 8, 1)))).toBe('2025-09-01');
  });

  it.each([[['a', 'b']], [{ text: 'x' }]])('refuses a nested value %j', (cell) => {
    expect(studentCode('note', cell)).toBe('invalid_type');
  });
});

describe('phones', () => {
  it.each(['+30 210 1234567', '(210) 123-4567', '210.123/4567', '6901234567'])('keeps %j as typed', (cell) => {
    expect(student('mobilePhone', cell)).toBe(cell);
  });

  it('takes a numeric cell as its digits', () => {
    expect(student('phone', 2101234567)).toBe('2101234567');
  });

  it.each(['210 123 456 ext 7', '+30-210-CALL', '---', '210_1234567'])('refuses %j', (cell) => {
    expect(studentCode('phone', cell)).toBe('invalid_phone');
  });

  it('refuses more than 30 characters', () => {
    expect(studentCode('mobilePhone', '1'.repeat(31))).toBe('too_long');
  });

  it('refuses a nested value', () => {
    expect(studentCode('phone', ['210'])).toBe('invalid_type');
  });
});

describe('integers', () => {
  it('reads whole numbers from text and numbers', () => {
    expect(course('credits', '6')).toBe(6);
    expect(course('credits', 0)).toBe(0);
    expect(course('hoursPerWeek', '+60')).toBe(60);
    expect(course('periodsPerWeek', 5)).toBe(5);
  });

  it.each(['2.5', 'three', '1e2', 2.5, true])('refuses %j as not whole', (cell) => {
    expect(courseCode('credits', cell)).toBe('invalid_integer');
  });

  it.each([['credits', '61'], ['credits', -1], ['hoursPerWeek', 61], ['periodsPerWeek', '-1']])('refuses %s %j as out of range', (field, cell) => {
    expect(courseCode(field, cell)).toBe('out_of_range');
  });
});

describe('study years', () => {
  it.each([
    [1, 1],
    ['6', 6],
    ["Α'", 1],
    ['Β΄', 2],
    ['Γʹ', 3],
    ['Δ’', 4],
    ['Ε`', 5],
    ["ΣΤ'", 6],
    ['στ΄', 6],
    ['Στ', 6],
    ['α', 1],
    ['A', 1],
    ["b'", 2],
    ['E΄', 5],
    ['1ο', 1],
    ['2o', 2],
    ["Α' έτος", 1],
    ['Γ΄ Έτος', 3],
    ['3ο έτος', 3],
    ['ΣΤ ΄', 6],
  ])('reads %j as %d', (cell, year) => {
    expect(student('studyYear', cell)).toBe(year);
  });

  it('leaves an empty year empty', () => {
    expect(student('studyYear', ' ')).toBeNull();
  });

  it.each([0, 7, 1.5, '7', '0', 'Ζ', 'x', "Α' Λυκείου", true])('refuses %j', (cell) => {
    expect(studentCode('studyYear', cell)).toBe('invalid_study_year');
  });
});

describe('booleans', () => {
  it.each(['true', 'TRUE', 'yes', 'Y', '1', 'active', 'Ναι', 'ΝΑΙ', 'ενεργός', 'Ενεργό', 'ΕΝΕΡΓΗ', 'ενεργος'])('reads %j as true', (cell) => {
    expect(student('isActive', cell)).toBe(true);
  });

  it.each(['false', 'No', 'n', '0', 'Inactive', 'όχι', 'ΟΧΙ', 'Ανενεργός', 'ανενεργό', 'ανενεργη'])('reads %j as false', (cell) => {
    expect(course('isActive', cell)).toBe(false);
  });

  it('reads boolean and 1/0 cells', () => {
    expect(student('isActive', false)).toBe(false);
    expect(student('isActive', 1)).toBe(true);
    expect(student('isActive', 0)).toBe(false);
  });

  it.each(['maybe', '2', 2, 'ίσως'])('refuses %j', (cell) => {
    expect(studentCode('isActive', cell)).toBe('invalid_boolean');
  });
});

describe('dates', () => {
  it.each([
    ['2025-09-01', '2025-09-01'],
    ['01/09/2025', '2025-09-01'],
    ['1/9/2025', '2025-09-01'],
    ['01.09.2025', '2025-09-01'],
    ['1.9.2025', '2025-09-01'],
    ['01-09-2025', '2025-09-01'],
    ['29/02/2024', '2024-02-29'],
    [TODAY, TODAY],
  ])('reads %j as %s', (cell, date) => {
    expect(student('enrollmentDate', cell)).toBe(date);
  });

  it('takes the UTC day of a date cell', () => {
    expect(student('enrollmentDate', new Date(Date.UTC(2025, 8, 1)))).toBe('2025-09-01');
    expect(enrollment('enrolledAt', new Date('2025-09-01T23:30:00Z'))).toBe('2025-09-01');
  });

  it('reads a numeric cell as an Excel serial day, dropping the time of day', () => {
    expect(student('enrollmentDate', 45901)).toBe('2025-09-01');
    expect(student('enrollmentDate', 45901.75)).toBe('2025-09-01');
    expect(student('enrollmentDate', 61)).toBe('1900-03-01');
  });

  const notDates: CellValue[] = ['2025-02-29', '31/04/2025', '2025-13-01', '32.01.2025', '01/09/25', '2025/09/01', '1 Sept 2025', '01/09-2025'];
  it.each([...notDates, 60, 0, -5, true, new Date(NaN)])('refuses %j', (cell) => {
    expect(studentCode('enrollmentDate', cell)).toBe('invalid_date');
  });

  it('reads each distinct date, number and yes/no cell once, however many rows repeat it', () => {
    const read: string[] = [];
    const rule = memoizeCells(
      cellRule('day', {
        text: (value) => {
          read.push(value);
          return value;
        },
      }),
    );
    const days = [new Date(Date.UTC(2025, 8, 1)), new Date(Date.UTC(2025, 8, 2)), new Date(NaN)];
    for (let row = 0; row < 99; row += 1) {
      expect(rule.date(days[row % 3])).toBe(['2025-09-01', '2025-09-02', 'Invalid Date'][row % 3]);
      expect(rule.number(7)).toBe('7');
      expect(rule.boolean(row % 2 === 0)).toBe(String(row % 2 === 0));
    }
    expect(read).toEqual(['2025-09-01', '7', 'true', '2025-09-02', 'false', 'Invalid Date']);
  });

  it('refuses a day after today', () => {
    expect(studentCode('enrollmentDate', '2026-05-02')).toBe('future_date');
    expect(enrollmentCode('enrolledAt', '02/05/2026')).toBe('future_date');
    expect(enrollmentCode('enrolledAt', new Date(Date.UTC(2027, 0, 1)))).toBe('future_date');
    const [issue] = validate(ImportEntity.Enrollments, ['enrolledAt'], ['2030-01-01']).issues;
    expect(issue.message).toContain(TODAY);
  });
});

describe('evaluation rules', () => {
  const rules = [
    { category: 'Γραπτές εξετάσεις', weight: 70 },
    { category: 'Προφορική εξέταση', weight: 30 },
  ];

  it('reads JSON text and JSON lists, keeping only category and weight', () => {
    expect(course('evaluationRules', JSON.stringify(rules))).toEqual(rules);
    expect(course('evaluationRules', [{ category: ' Exams ', weight: 100, note: 'x' }])).toEqual([{ category: 'Exams', weight: 100 }]);
  });

  it('accepts decimal weights that add up to 100', () => {
    const thirds = [33.33, 33.33, 33.34].map((weight, index) => ({ category: `Part ${index}`, weight }));
    expect(course('evaluationRules', thirds)).toEqual(thirds);
  });

  it('stores no rules as null', () => {
    expect(course('evaluationRules', '[]')).toBeNull();
    expect(course('evaluationRules', [])).toBeNull();
    expect(course('evaluationRules', 'null')).toBeNull();
  });

  it('refuses weights that do not add up to 100', () => {
    expect(courseCode('evaluationRules', [{ category: 'Exams', weight: 70 }, { category: 'Project', weight: 20 }])).toBe('evaluation_weights_sum');
    expect(courseCode('evaluationRules', '[{"category":"Exams","weight":50}]')).toBe('evaluation_weights_sum');
  });

  it.each([
    ['not JSON', '70% exams'],
    ['an object', { category: 'Exams', weight: 100 }],
    ['an object as text', '{"category":"Exams","weight":100}'],
    ['a number', 100],
    ['a missing category', [{ weight: 100 }]],
    ['an empty category', [{ category: ' ', weight: 100 }]],
    ['a long category', [{ category: 'x'.repeat(51), weight: 100 }]],
    ['a weight as text', [{ category: 'Exams', weight: '100' }]],
    ['a weight over 100', [{ category: 'Exams', weight: 101 }, { category: 'Bonus', weight: -1 }]],
    ['a repeated category', [{ category: 'Exams', weight: 50 }, { category: 'exams', weight: 50 }]],
    ['too many rules', Array.from({ length: 21 }, (_, index) => ({ category: `Part ${index}`, weight: index === 0 ? 80 : 1 }))],
    ['a list item that is not an object', [100]],
  ])('refuses %s', (_case, cell) => {
    expect(courseCode('evaluationRules', cell as CellValue)).toBe('invalid_evaluation_rules');
  });
});

describe('enrollment statuses', () => {
  it.each([
    ['active', 'active'],
    ['Completed', 'completed'],
    ['DROPPED', 'dropped'],
    ['Ενεργή', 'active'],
    ['ενεργός', 'active'],
    ['ολοκληρώθηκε', 'completed'],
    ['Ολοκληρωμένη', 'completed'],
    ['ΟΛΟΚΛΗΡΩΘΗΚΕ', 'completed'],
    ['αποσύρθηκε', 'dropped'],
    ['Διεγράφη', 'dropped'],
    ['withdrawn', 'dropped'],
  ])('reads %j as %s', (cell, status) => {
    expect(enrollment('status', cell)).toBe(status);
  });

  it.each(['pending', 1, true])('refuses %j', (cell) => {
    expect(enrollmentCode('status', cell)).toBe('invalid_status');
  });
});
