import { CsvParser, CsvRecord } from '../../src/imports/readers/csv-parser';
import { toSourceRecord } from '../../src/imports/readers/csv-reader';
import { ImportFileError } from '../../src/imports/readers/import-file.error';

function parse(chunks: string[], delimiter = ',', maxRecordLength = 1024 * 1024): CsvRecord[] {
  const parser = new CsvParser(delimiter, maxRecordLength);
  const output: CsvRecord[] = [];
  for (const chunk of chunks) parser.push(chunk, output);
  parser.finish(output);
  return output;
}

function rows(records: CsvRecord[]): [number, string[]][] {
  return records.map((record) => [record.line, record.cells]);
}

/** Every way of cutting `text` into two and into three chunks, plus one character per chunk. */
function chunkings(text: string): string[][] {
  const result: string[][] = [[text], text.split('')];
  for (let first = 0; first <= text.length; first++) {
    result.push([text.slice(0, first), text.slice(first)]);
    for (let second = first; second <= text.length; second += 3) {
      result.push([text.slice(0, first), text.slice(first, second), text.slice(second)]);
    }
  }
  return result;
}

const TRICKY =
  'id,name,note\r\n' +
  '1,"Smith, Jr.","said ""hi"""\r\n' +
  '2,Παπαδόπουλος,"line one\r\nline two"\n' +
  '3,"",plain\r' +
  '4,"a\nb\rc",\r\n' +
  '\r\n' +
  '5,last,"x"';

const TRICKY_EXPECTED: [number, string[]][] = [
  [1, ['id', 'name', 'note']],
  [2, ['1', 'Smith, Jr.', 'said "hi"']],
  [3, ['2', 'Παπαδόπουλος', 'line one\r\nline two']],
  [5, ['3', '', 'plain']],
  [6, ['4', 'a\nb\rc', '']],
  [9, ['']],
  [10, ['5', 'last', 'x']],
];

describe('CsvParser', () => {
  it('parses quoted fields, doubled quotes, CRLF, LF and CR, and line breaks inside quotes', () => {
    expect(rows(parse([TRICKY]))).toEqual(TRICKY_EXPECTED);
  });

  it('gives the same records however the text is cut into chunks', () => {
    for (const chunks of chunkings(TRICKY)) {
      expect({ chunks, records: rows(parse(chunks)) }).toEqual({ chunks, records: TRICKY_EXPECTED });
    }
  });

  it('counts a CRLF split between two chunks as one line break, inside and outside quotes', () => {
    expect(rows(parse(['a,b\r', '\nc,d\r\n']))).toEqual([
      [1, ['a', 'b']],
      [2, ['c', 'd']],
    ]);
    expect(rows(parse(['"a\r', '\nb",c\n', 'd,e']))).toEqual([
      [1, ['a\r\nb', 'c']],
      [3, ['d', 'e']],
    ]);
  });

  it('keeps a doubled quote split between chunks', () => {
    expect(rows(parse(['"say ""', 'hi"""']))).toEqual([[1, ['say "hi"']]]);
    expect(rows(parse(['"say "', '"hi"""']))).toEqual([[1, ['say "hi"']]]);
  });

  it('uses the given delimiter only', () => {
    expect(rows(parse(['a;b,c\t"d;e"\n'], ';'))).toEqual([[1, ['a', 'b,c\t"d', 'e"']]]);
    expect(rows(parse(['a\tb,c\t"d\te"\n'], '\t'))).toEqual([[1, ['a', 'b,c', 'd\te']]]);
  });

  it('keeps text after a closing quote as part of the field, as spreadsheets do', () => {
    expect(rows(parse(['"ab"cd,e\n']))).toEqual([[1, ['abcd', 'e']]]);
  });

  it('ends a trailing delimiter with an empty cell and ignores a final line break', () => {
    expect(rows(parse(['a,b,\n']))).toEqual([[1, ['a', 'b', '']]]);
    expect(rows(parse(['a\n', '']))).toEqual([[1, ['a']]]);
    expect(parse([''])).toEqual([]);
  });

  it('reports an unclosed quote at the end of the input with what was read', () => {
    const records = parse(['a,b\n1,"never closed\nstill open']);
    expect(records[1]).toEqual({ line: 2, cells: ['1', 'never closed\nstill open'], unclosedQuote: true });
    expect(records[0].unclosedQuote).toBe(false);
  });

  it('fails fast on a record longer than the limit, before the record ends', () => {
    const parser = new CsvParser(',', 100);
    const output: CsvRecord[] = [];
    parser.push('a,b\n1,"', output);
    expect(() => parser.push('x'.repeat(200), output)).toThrow(ImportFileError);
    expect(() => new CsvParser(',', 100).push(`short\n${'y'.repeat(101)}\n`, [])).toThrow(
      expect.objectContaining({ code: 'record_too_large', status: 422 }),
    );
  });

  it('accepts a record of exactly the limit', () => {
    expect(rows(parse([`${'z'.repeat(10)}\n`], ',', 11))).toEqual([[1, ['z'.repeat(10)]]]);
  });

  it('refuses a delimiter it cannot parse with', () => {
    expect(() => new CsvParser('"', 10)).toThrow(RangeError);
    expect(() => new CsvParser(';;', 10)).toThrow(RangeError);
  });
});

describe('toSourceRecord', () => {
  it('keeps records that fit the header', () => {
    expect(toSourceRecord({ line: 4, cells: ['a', 'b'], unclosedQuote: false }, 3)).toEqual({ row: 4, cells: ['a', 'b'] });
  });

  it('drops empty cells beyond the header and flags extra cells with content', () => {
    expect(toSourceRecord({ line: 2, cells: ['a', 'b', ' '], unclosedQuote: false }, 2)).toEqual({ row: 2, cells: ['a', 'b'] });
    expect(toSourceRecord({ line: 2, cells: ['a', 'b', 'c'], unclosedQuote: false }, 2)).toMatchObject({
      row: 2,
      cells: ['a', 'b', 'c'],
      parseError: { code: 'too_many_cells' },
    });
  });

  it('flags an unclosed quote', () => {
    expect(toSourceRecord({ line: 9, cells: ['x'], unclosedQuote: true }, 2).parseError?.code).toBe('unclosed_quote');
  });
});
