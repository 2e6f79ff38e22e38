import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createdRowsLayout, CreatedRowsCopy, createsEveryRow } from '../../src/imports/created-rows-copy';
import { ImportSummary } from '../../src/imports/import-plan';
import { StageChangedError } from '../../src/imports/import-staging';
import { importTarget } from '../../src/imports/import-targets';
import { ImportEntity } from '../../src/imports/import.types';
import { ImportMode } from '../../src/imports/rows/import-mode';

const students = importTarget(ImportEntity.Students);
const JOB = '5f0c2d7e-0000-4000-8000-000000000001';
/** A staged students line: the prefix, then the 14 values of students' columns in catalogue order. */
function stagedLine(ordinal: number, row: number, valid: boolean, values: string[]): string {
  return `${ordinal}\t0\t${row}\t${valid ? 't' : 'f'}\tf\tf\tf\t\\N\t${values.join('\t')}\n`;
}
const NULLS = Array.from({ length: 14 }, () => '\\N');
// student_id email first_name last_name father_name mobile_phone phone enrollment_date study_year is_active health_issue note academic_year class_division
const maria = ['B1', 'maria@school.example', 'Μαρία', 'Παπαδοπούλου', '\\N', '\\N', '\\N', '2024-09-01', '2', '\\N', '\\N', '\\N', '2025-2026', 'A\\tB'];
const john = ['B2', 'john@school.example', 'John', 'Smith', '\\N', '\\N', '\\N', '\\N', '\\N', 'f', '\\N', '\\N', '\\N', '\\N'];
const present = new Set(['studentId', 'email', 'firstName', 'lastName', 'enrollmentDate', 'studyYear', 'isActive', 'academicYear', 'classDivision']);

async function converted(input: string[], chunkBytes: number): Promise<{ text: string; rows: number }> {
  const layout = createdRowsLayout(students, present, { jobId: JOB, fileName: 'μαθητές\t2026.csv', defaults: { is_active: 't' } });
  const bytes = Buffer.from(input.join(''));
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) chunks.push(bytes.subarray(offset, offset + chunkBytes));
  const copy = new CreatedRowsCopy(layout, students.columns.length);
  const text = (await buffer(Readable.from(chunks).pipe(copy))).toString('utf8');
  return { text, rows: copy.rows };
}

describe('created rows copy', () => {
  it('lists the inserted columns and the provenance, leaving the timestamps to the table', () => {
    const layout = createdRowsLayout(students, present, { jobId: JOB, fileName: 'a.csv', defaults: { is_active: 't' } });
    expect(layout.columns).toEqual([
      'student_id', 'email', 'first_name', 'last_name', 'enrollment_date', 'study_year', 'is_active', 'academic_year', 'class_division',
      'last_import_job_id', 'last_import_file', 'last_import_row',
    ]);
  });

  it.each([1, 7, 64, 100_000])('rewrites valid staged lines as table lines, whatever the chunks (%i bytes)', async (chunkBytes) => {
    const { text, rows } = await converted([stagedLine(1, 2, true, maria), stagedLine(2, 3, false, NULLS), stagedLine(3, 4, true, john)], chunkBytes);
    expect(rows).toBe(2);
    expect(text).toBe(
      `B1\tmaria@school.example\tΜαρία\tΠαπαδοπούλου\t2024-09-01\t2\tt\t2025-2026\tA\\tB\t${JOB}\tμαθητές\\t2026.csv\t2\n` +
        `B2\tjohn@school.example\tJohn\tSmith\t\\N\t\\N\tf\t\\N\t\\N\t${JOB}\tμαθητές\\t2026.csv\t4\n`,
    );
  });

  it('gives a defaulted column that is not in the file its default', async () => {
    const layout = createdRowsLayout(students, new Set(['studentId', 'email', 'firstName', 'lastName']), { jobId: JOB, fileName: 'a.csv', defaults: { is_active: 't' } });
    expect(layout.columns.slice(0, 5)).toEqual(['student_id', 'email', 'first_name', 'last_name', 'is_active']);
    const copy = new CreatedRowsCopy(layout, students.columns.length);
    const text = (await buffer(Readable.from([Buffer.from(stagedLine(1, 2, true, maria))]).pipe(copy))).toString('utf8');
    expect(text).toBe(`B1\tmaria@school.example\tΜαρία\tΠαπαδοπούλου\tt\t${JOB}\ta.csv\t2\n`);
  });

  it('refuses a line that is not a staged line, or a last line without its end', async () => {
    await expect(converted([stagedLine(1, 2, true, maria.slice(1))], 1000)).rejects.toBeInstanceOf(StageChangedError);
    await expect(converted([stagedLine(1, 2, true, [...maria, 'x'])], 1000)).rejects.toBeInstanceOf(StageChangedError);
    await expect(converted([stagedLine(1, 2, true, maria).slice(0, -1)], 1000)).rejects.toBeInstanceOf(StageChangedError);
  });

  it('writes directly only plans that create every valid row, of students or courses, outside mode update', () => {
    const summary: ImportSummary = { totalRows: 10, validRows: 9, invalidRows: 1, warningRows: 0, create: 9, update: 0, unchanged: 0, skip: 0 };
    expect(createsEveryRow(summary, ImportEntity.Students, ImportMode.Upsert)).toBe(true);
    expect(createsEveryRow(summary, ImportEntity.Courses, ImportMode.Create)).toBe(true);
    expect(createsEveryRow(summary, ImportEntity.Enrollments, ImportMode.Upsert)).toBe(false);
    expect(createsEveryRow(summary, ImportEntity.Students, ImportMode.Update)).toBe(false);
    expect(createsEveryRow({ ...summary, create: 8, update: 1 }, ImportEntity.Students, ImportMode.Upsert)).toBe(false);
    expect(createsEveryRow({ ...summary, create: 8, skip: 1 }, ImportEntity.Students, ImportMode.Upsert)).toBe(false);
    expect(createsEveryRow({ ...summary, create: 8, unchanged: 1 }, ImportEntity.Students, ImportMode.Upsert)).toBe(false);
    expect(createsEveryRow({ ...summary, validRows: 0, create: 0 }, ImportEntity.Students, ImportMode.Upsert)).toBe(false);
    expect(createsEveryRow(null, ImportEntity.Students, ImportMode.Upsert)).toBe(false);
  });
});
