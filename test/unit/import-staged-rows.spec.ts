import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportEntity } from '../../src/imports/import.types';
import { importTarget } from '../../src/imports/import-targets';
import { ImportFileError } from '../../src/imports/readers/import-file.error';
import { ImportMode } from '../../src/imports/rows/import-mode';
import { StagedRowsListener, StagedRowsOptions, StagedRowsProgress, stagedRows, StagedSource, StageSource } from '../../src/imports/staged-rows';

const OPTIONS: StagedRowsOptions = {
  entity: ImportEntity.Students,
  target: importTarget(ImportEntity.Students),
  mode: ImportMode.Upsert,
  maxRows: 1_000_000,
  today: '2026-05-01',
  expectedRows: 1_000,
};

const HEADER = 'studentId,email,firstName,lastName,enrollmentDate,studyYear,isActive\n';

/** 45 000 rows (past two progress reports), with invalid rows, a repeated key and a repeated email. */
function plainRows(): string {
  const lines: string[] = [];
  for (let index = 0; index < 45_000; index += 1) {
    const studyYear = index % 997 === 0 ? '9' : String((index % 4) + 1);
    const studentId = index === 44_000 ? 'B00000007' : `B${String(index).padStart(8, '0')}`;
    const email = index === 44_001 ? 'student8@school.example' : `student${index}@school.example`;
    lines.push(`${studentId},${email},Μαρία,Παπαδοπούλου,2024-09-01,${studyYear},ναι\n`);
  }
  return lines.join('');
}

interface Staged {
  text: string;
  sources: StagedSource[];
  progress: StagedRowsProgress[];
  rows: number;
}

async function collect(text: AsyncIterable<Buffer>, sources: StagedSource[], progress: StagedRowsProgress[], rows: () => number): Promise<Staged> {
  const chunks: Buffer[] = [];
  for await (const chunk of text) chunks.push(chunk);
  return { text: Buffer.concat(chunks).toString('utf8'), sources, progress, rows: rows() };
}

function stage(run: (listener: StagedRowsListener) => AsyncIterable<Buffer>): Promise<Staged> {
  const sources: StagedSource[] = [];
  const progress: StagedRowsProgress[] = [];
  let rows = 0;
  const listener: StagedRowsListener = {
    progress: (report) => void progress.push(report),
    sourceDone: (source, rowsSoFar) => {
      sources.push(source);
      rows = rowsSoFar;
    },
  };
  return collect(run(listener), sources, progress, () => rows);
}

describe('stagedRows', () => {
  const directory = mkdtempSync(join(tmpdir(), 'staged-rows-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const file = (name: string, content: string | Buffer): StageSource => {
    const path = join(directory, name);
    writeFileSync(path, content);
    return { path, fileName: name };
  };

  it('stages every row of several files in order, escaping what COPY text needs, with progress and findings', async () => {
    const sources = [
      file('students.csv', HEADER + plainRows()),
      // Not plain: a tab, a backslash and a line break in quoted fields, which COPY text escapes.
      file('more.csv', `${HEADER}C1,c1@school.example,"Ana\tMaria",O\\Brien,2024-09-01,1,yes\nC2,c2@school.example,"Line\nbreak",Smith,2024-09-01,2,no\n`),
      file('students.json', JSON.stringify([{ studentId: 'D1', email: 'd1@school.example', firstName: 'Ελένη', lastName: 'Νικολάου', extra: 1 }])),
    ];
    const staged = await stage((listener) => stagedRows(sources, OPTIONS, listener));
    expect(staged.rows).toBe(45_003);
    expect(staged.sources.map((source) => [source.detection.format, source.presentFields.size, source.headerIssues.map((issue) => issue.code)])).toEqual([
      ['csv', 7, []],
      ['csv', 7, []],
      ['json', 4, ['unknown_column']],
    ]);
    expect(staged.progress).toEqual([
      { rows: 20_000, sourceIndex: 0, sourceBytes: expect.any(Number) },
      { rows: 40_000, sourceIndex: 0, sourceBytes: expect.any(Number) },
    ]);
    const lines = staged.text.split('\n');
    expect(lines).toHaveLength(45_004);
    expect(lines[45_000]).toContain('\tAna\\tMaria\tO\\\\Brien\t');
    expect(lines[45_001]).toContain('\tLine\\nbreak\t');
    expect(lines[45_002].split('\t').slice(0, 3)).toEqual(['45003', '2', '1']);
    // The repeated key and email are marked; the invalid study years are invalid rows with their issue.
    expect(lines[44_000].split('\t').slice(0, 7)).toEqual(['44001', '0', '44002', 't', 'f', 't', 'f']);
    expect(lines[44_001].split('\t').slice(0, 7)).toEqual(['44002', '0', '44003', 't', 'f', 'f', 't']);
    expect(lines[997].split('\t').slice(0, 4)).toEqual(['998', '0', '999', 'f']);
    expect(lines[997]).toContain('invalid_study_year');
  }, 120_000);

  it('stops at the row limit with too_many_rows', async () => {
    const staging = stage((listener) => stagedRows([file('many.csv', HEADER + plainRows())], { ...OPTIONS, maxRows: 10 }, listener));
    await expect(staging).rejects.toThrow(ImportFileError);
    await expect(staging).rejects.toMatchObject({ code: 'too_many_rows', status: 422 });
  });
});

describe('plain text in the CSV reader', () => {
  const directory = mkdtempSync(join(tmpdir(), 'plain-text-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function batchesOf(content: string): Promise<{ plainText: boolean | undefined; codes: (string | undefined)[] }[]> {
    const { openSource } = await import('../../src/imports/readers/open-source');
    const path = join(directory, `file-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(path, content);
    const opened = await openSource(path, { fileName: 'file.csv' });
    const batches: { plainText: boolean | undefined; codes: (string | undefined)[] }[] = [];
    for await (const batch of opened.batches) batches.push({ plainText: batch.plainText, codes: batch.records.map((record) => record.parseError?.code) });
    return batches;
  }

  it('vouches for text without NUL, surrogates, tabs, backslashes or quoted line breaks', async () => {
    expect(await batchesOf('a,b\n"x, ""quoted""",Μαρία\n')).toEqual([{ plainText: true, codes: [undefined] }]);
  });

  it.each([
    ['a tab', 'a,b\nx\ty,z\n'],
    ['a backslash', 'a,b\nx\\y,z\n'],
    ['a quoted line break', 'a,b\n"x\r\ny",z\n'],
    ['an emoji (a surrogate pair)', 'a,b\nx😀,z\n'],
  ])('leaves the check to each cell after %s', async (_what, content) => {
    expect(await batchesOf(content)).toEqual([{ plainText: undefined, codes: [undefined] }]);
  });

  it('still refuses a NUL in a cell, on its row', async () => {
    // Past the head that the encoding is detected from, where a NUL would suggest UTF-16.
    const rows = 'ok,fine\n'.repeat(10_000);
    const batches = await batchesOf(`a,b\n${rows}x\u0000y,z\n`);
    expect(batches[0].plainText).toBe(true);
    expect(batches[10]).toEqual({ plainText: undefined, codes: ['invalid_character'] });
  });
});
