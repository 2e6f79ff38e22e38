import * as iconv from 'iconv-lite';
import { ImportFormat } from '../../src/imports/import.types';
import { detectDelimiter } from '../../src/imports/readers/detect-delimiter';
import { detectEncoding, detectUtf16ByZeroBytes, withoutIncompleteUtf8Tail } from '../../src/imports/readers/detect-encoding';
import { detectFormat, sniffContent } from '../../src/imports/readers/detect-format';
import { ImportFileError } from '../../src/imports/readers/import-file.error';

const GREEK_LINE = 'Επώνυμο:;Όνομα:;Άννα;Έτος Σπουδών:;Γ\'\r\n';

function expectImportError(action: () => unknown, code: string, status: number): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ImportFileError);
  expect(caught).toMatchObject({ code, status });
}

describe('detectEncoding', () => {
  it('reads a UTF-8 BOM', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('utf-8');
  });

  it('reads UTF-16 BOMs', () => {
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x61]))).toBe('utf-16be');
  });

  it('recognises UTF-16 without a BOM by its zero bytes, even when the text is ASCII', () => {
    expect(detectEncoding(iconv.encode('studentId\temail\r\n1\ta@b.gr\r\n', 'utf-16le'))).toBe('utf-16le');
    expect(detectEncoding(iconv.encode('studentId\temail\r\n1\ta@b.gr\r\n', 'utf-16be'))).toBe('utf-16be');
    expect(detectEncoding(iconv.encode(`${GREEK_LINE}6912345678;a@b.gr\r\n`, 'utf-16le'))).toBe('utf-16le');
  });

  it('takes text that decodes as strict UTF-8 as UTF-8', () => {
    expect(detectEncoding(Buffer.from(GREEK_LINE, 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('plain ascii,text\n'))).toBe('utf-8');
  });

  it('still takes UTF-8 when the sample ends in the middle of a multi-byte character', () => {
    const bytes = Buffer.from('Παπαδόπουλος', 'utf8');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1))).toBe('utf-8');
  });

  it('tells Windows-1253 by Ά (0xA2) or a byte in 0x80–0x9F', () => {
    expect(detectEncoding(iconv.encode(GREEK_LINE, 'windows-1253'))).toBe('windows-1253');
    expect(detectEncoding(iconv.encode('Ο Γιώργος’\r\n', 'windows-1253'))).toBe('windows-1253');
  });

  it('falls back to ISO-8859-7 for other 8-bit Greek text', () => {
    expect(detectEncoding(iconv.encode(GREEK_LINE, 'iso-8859-7'))).toBe('iso-8859-7');
  });
});

describe('detectUtf16ByZeroBytes', () => {
  it('ignores binary data with zeros at both parities and short input', () => {
    expect(detectUtf16ByZeroBytes(Buffer.alloc(100))).toBeNull();
    expect(detectUtf16ByZeroBytes(Buffer.from([0x61]))).toBeNull();
  });
});

describe('withoutIncompleteUtf8Tail', () => {
  it('drops a cut multi-byte character and keeps complete ones', () => {
    const euro = Buffer.from('a€', 'utf8');
    expect(withoutIncompleteUtf8Tail(euro)).toEqual(euro);
    expect(withoutIncompleteUtf8Tail(euro.subarray(0, 3))).toEqual(Buffer.from('a'));
    expect(withoutIncompleteUtf8Tail(euro.subarray(0, 2))).toEqual(Buffer.from('a'));
    expect(withoutIncompleteUtf8Tail(Buffer.from('abc'))).toEqual(Buffer.from('abc'));
  });
});

describe('detectDelimiter', () => {
  it('finds comma, semicolon and tab', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    expect(detectDelimiter('a;b;c\r\n1;2;3\r\n')).toBe(';');
    expect(detectDelimiter('a\tb\tc\n1\t2\t3\n')).toBe('\t');
  });

  it('prefers the consistent delimiter over one that appears more in some rows', () => {
    expect(detectDelimiter('name;grade;note\nMaria;9,5;ok\nNikos;8,25;good\nEleni;7;fine\n')).toBe(';');
  });

  it('does not count delimiters inside quotes, even across lines', () => {
    expect(detectDelimiter('a;b\n"x, y, z";1\n"multi,\nline, field";2\n')).toBe(';');
  });

  it('uses a single line when that is all there is, and defaults to a comma', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('single column\nvalue\n')).toBe(',');
    expect(detectDelimiter('')).toBe(',');
  });

  it('ignores the last line a sample cut short', () => {
    expect(detectDelimiter('a;b;c\n1;2;3\n4,5,6,7,8,9,10')).toBe(';');
  });
});

describe('sniffContent', () => {
  it('recognises zip, legacy Excel, binary and text', () => {
    expect(sniffContent(Buffer.from('PK\x03\x04rest', 'latin1'))).toBe('zip');
    expect(sniffContent(Buffer.from('d0cf11e0a1b11ae100', 'hex'))).toBe('legacy-excel');
    expect(sniffContent(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x00, 0x0d]))).toBe('binary');
    expect(sniffContent(Buffer.from('a,b\n'))).toBe('text');
    expect(sniffContent(iconv.encode('a,b\n', 'utf-16le'))).toBe('text');
  });
});

describe('detectFormat', () => {
  const text = Buffer.from('a,b\n1,2\n');
  const zip = Buffer.from('PK\x03\x04rest', 'latin1');

  it('maps extensions, case-insensitively', () => {
    expect(detectFormat('students.CSV', text)).toBe(ImportFormat.Csv);
    expect(detectFormat('students.tsv', text)).toBe(ImportFormat.Csv);
    expect(detectFormat('students.txt', text)).toBe(ImportFormat.Csv);
    expect(detectFormat('students.json', text)).toBe(ImportFormat.Json);
    expect(detectFormat('students.ndjson', text)).toBe(ImportFormat.Ndjson);
    expect(detectFormat('students.jsonl', text)).toBe(ImportFormat.Ndjson);
    expect(detectFormat('students.xlsx', zip)).toBe(ImportFormat.Xlsx);
  });

  it('lets an explicit format override the extension but not the content', () => {
    expect(detectFormat('export.dat', text, ImportFormat.Ndjson)).toBe(ImportFormat.Ndjson);
    expect(detectFormat('students.csv', zip, ImportFormat.Xlsx)).toBe(ImportFormat.Xlsx);
    expectImportError(() => detectFormat('students.xlsx', zip, ImportFormat.Csv), 'format_mismatch', 415);
  });

  it('refuses an extension that contradicts the content', () => {
    expectImportError(() => detectFormat('students.csv', zip), 'format_mismatch', 415);
    expectImportError(() => detectFormat('students.xlsx', text), 'format_mismatch', 415);
  });

  it('refuses legacy .xls by content or by name, with a hint to save as .xlsx or .csv', () => {
    const ole = Buffer.from('d0cf11e0a1b11ae100', 'hex');
    expectImportError(() => detectFormat('students.xls', ole), 'unsupported_format', 415);
    expectImportError(() => detectFormat('students.csv', ole), 'unsupported_format', 415);
    expectImportError(() => detectFormat('students.xls', text), 'unsupported_format', 415);
    expect(() => detectFormat('students.xls', ole)).toThrow(/save .*\.xlsx or \.csv/);
  });

  it('refuses unknown extensions and binary content', () => {
    expectImportError(() => detectFormat('students.pdf', text), 'unsupported_format', 415);
    expectImportError(() => detectFormat('students', text), 'unsupported_format', 415);
    expectImportError(() => detectFormat('photo.csv', Buffer.from([0xff, 0xd8, 0x00, 0x00, 0x10, 0x00, 0x4a])), 'unsupported_format', 415);
  });

  it('refuses an empty file', () => {
    expectImportError(() => detectFormat('students.csv', Buffer.alloc(0)), 'empty_file', 422);
  });
});
