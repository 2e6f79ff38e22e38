import { ExportColumn, selectColumns } from '../../src/exports/export-columns';
import {
  exportFileName,
  languageFromAcceptLanguage,
} from '../../src/exports/export-formats';
import { ExportEntity, ExportFormat, ExportLanguage } from '../../src/exports/export.enums';
import { csvRowFormatter } from '../e2e/support/csv-reference';
import { xlsxRowFormatter } from '../e2e/support/xlsx-reference';

const columns: ExportColumn[] = [
  { name: 'id', sql: 'id', kind: 'integer', label: { en: 'ID', el: 'Α/Α' } },
  { name: 'note', sql: 'note', kind: 'text', label: { en: 'Note', el: 'Σημείωση' } },
  { name: 'isActive', sql: 'is_active', kind: 'boolean', label: { en: 'Status', el: 'Κατάσταση' }, valueLabels: { true: { en: 'Active', el: 'Ενεργός' }, false: { en: 'Inactive', el: 'Ανενεργός' } } },
  { name: 'day', sql: 'day', kind: 'date', label: { en: 'Day', el: 'Ημέρα' } },
  { name: 'at', sql: 'at', kind: 'timestamp', label: { en: 'At', el: 'Στιγμή' } },
  { name: 'rules', sql: 'rules', kind: 'json', label: { en: 'Rules', el: 'Κανόνες' } },
];

describe('csvRowFormatter', () => {
  const line = csvRowFormatter(columns, ExportLanguage.English);

  it('writes numbers, dates and instants as they are, labels booleans, and leaves nulls empty', () => {
    expect(line(['42', 'plain', 't', '2026-09-01', '2026-09-01T08:00:00.000Z', null])).toBe('42,plain,Active,2026-09-01,2026-09-01T08:00:00.000Z,\r\n');
    expect(line(['1', null, 'f', null, null, null])).toBe('1,,Inactive,,,\r\n');
  });

  it('neutralises formula text but keeps numbers and phone numbers', () => {
    expect(line(['1', '=1+2', 't', null, null, null])).toBe("1,'=1+2,Active,,,\r\n");
    expect(line(['1', '@SUM(A1)', 't', null, null, null])).toBe("1,'@SUM(A1),Active,,,\r\n");
    expect(line(['1', '\tcmd', 't', null, null, null])).toBe("1,'\tcmd,Active,,,\r\n");
    expect(line(['1', '-5', 't', null, null, null])).toBe('1,-5,Active,,,\r\n');
    expect(line(['1', '+30 210 1234567', 't', null, null, null])).toBe('1,+30 210 1234567,Active,,,\r\n');
  });

  it('quotes cells with commas, quotes or line breaks', () => {
    expect(line(['1', 'Σημείωση, με "εισαγωγικά"\nκαι γραμμή', 't', null, null, '[{"a":1}]'])).toBe(
      '1,"Σημείωση, με ""εισαγωγικά""\nκαι γραμμή",Active,,,"[{""a"":1}]"\r\n',
    );
  });

  it('labels values in Greek', () => {
    expect(csvRowFormatter(columns, ExportLanguage.Greek)(['1', null, 'f', null, null, null])).toBe('1,,Ανενεργός,,,\r\n');
  });
});

describe('xlsxRowFormatter', () => {
  it('gives numbers, UTC dates, labels and neutralised text', () => {
    const values = xlsxRowFormatter(columns, ExportLanguage.English)(['42', '=HYPERLINK("x")', 't', '2026-09-01', '2026-09-01T08:00:00.000Z', null]);
    expect(values).toEqual([42, `'=HYPERLINK("x")`, 'Active', new Date('2026-09-01T00:00:00.000Z'), new Date('2026-09-01T08:00:00.000Z'), null]);
  });
});

describe('languageFromAcceptLanguage', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['el', 'el'],
    ['el-GR,el;q=0.9,en;q=0.8', 'el'],
    ['en-US,en;q=0.9,el;q=0.8', 'en'],
    ['fr-FR, el;q=0.5', 'el'],
    ['en;q=0.4, el;q=0.6', 'el'],
    ['el;q=0', 'en'],
    ['de, fr', 'en'],
  ])('%s → %s', (header, language) => {
    expect(languageFromAcceptLanguage(header)).toBe(language);
  });
});

describe('exportFileName', () => {
  it('names the file by entity, language and UTC time', () => {
    const at = new Date('2026-11-30T10:15:00.123Z');
    expect(exportFileName(ExportEntity.Students, ExportFormat.Csv, ExportLanguage.English, at)).toBe('students-20261130T101500Z.csv');
    expect(exportFileName(ExportEntity.Enrollments, ExportFormat.Xlsx, ExportLanguage.Greek, at)).toBe('εγγραφές-20261130T101500Z.xlsx');
  });
});

describe('selectColumns', () => {
  it('gives every regular column by default, leaving out optional ones', () => {
    const selection = selectColumns(ExportEntity.Students, undefined);
    expect('columns' in selection && selection.columns.map((column) => column.name)).not.toContain('deletedAt');
    expect('columns' in selection && selection.columns[0].name).toBe('id');
  });

  it('keeps the order asked for, once each, and names unknown fields', () => {
    const selection = selectColumns(ExportEntity.Courses, ['credits', 'courseCode', 'credits', 'deletedAt']);
    expect('columns' in selection && selection.columns.map((column) => column.name)).toEqual(['credits', 'courseCode', 'deletedAt']);
    expect(selectColumns(ExportEntity.Courses, ['courseCode', 'studentId', 'password'])).toEqual({ unknown: ['studentId', 'password'] });
  });
});
