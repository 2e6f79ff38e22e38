import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportEntity, IssueSeverity } from '../../src/imports/import.types';
import { detectFormat } from '../../src/imports/readers/detect-format';
import { ImportFileError } from '../../src/imports/readers/import-file.error';
import { openSource } from '../../src/imports/readers/open-source';
import { RecordBatcher } from '../../src/imports/readers/record-batches';
import { storableCell, unstorableCellReason, withStorableCells } from '../../src/imports/readers/text-policy';
import { mapColumns } from '../../src/imports/rows/column-mapping';
import { ImportMode } from '../../src/imports/rows/import-mode';
import { buildZip, workbookParts } from '../fixtures/hostile/generate-hostile-files';

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'import-text-policy-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('the text policy of import cells', () => {
  it('finds NUL and lone surrogates in text, nested values and keys, and nothing in storable cells', () => {
    expect(unstorableCellReason('a\u0000b')).toContain('NUL');
    expect(unstorableCellReason('\ud800')).toContain('surrogate');
    expect(unstorableCellReason('x\udc00y')).toContain('surrogate');
    expect(unstorableCellReason([{ category: 'ok', weight: ['\u0000'] }])).toContain('NUL');
    expect(unstorableCellReason({ 'k\u0000': 1 })).toContain('NUL');
    for (const cell of ['Ελληνικά 😀', '', 0, -1.5, true, null, undefined, new Date(0), [{ category: 'a', weight: 50 }]]) expect(unstorableCellReason(cell)).toBeUndefined();
  });

  it('makes every string of a cell storable, keys included', () => {
    expect(storableCell('a\u0000b\ud800')).toBe('a\uFFFDb\uFFFD');
    expect(storableCell({ 'k\u0000': ['\udfff', 3] })).toEqual({ 'k\uFFFD': ['\uFFFD', 3] });
    expect(storableCell(7)).toBe(7);
  });

  it('turns a record with such a cell into an invalid_character error on its first column, and leaves the others as they are', () => {
    const clean = { row: 3, cells: ['S1', 'Anna'] };
    expect(withStorableCells(clean, ['studentId', 'firstName'])).toBe(clean);
    const refused = withStorableCells({ row: 4, cells: ['S1', 'a\u0000b', '\ud800'] }, ['studentId', 'firstName', 'lastName']);
    expect(refused).toEqual({
      row: 4,
      cells: ['S1', 'a\uFFFDb', '\uFFFD'],
      parseError: { code: 'invalid_character', column: 1, message: expect.stringMatching(/^The value in column "firstName" contains a NUL character/) },
    });
    // A record the reader already refused keeps its own error.
    const tooWide = { row: 5, cells: ['\u0000'], parseError: { code: 'too_many_cells', message: 'wide' } };
    expect(withStorableCells(tooWide, [])).toBe(tooWide);
  });

  it('is applied to every record that passes the batcher, whatever reader made it', () => {
    const batcher = new RecordBatcher(10, 5);
    batcher.add({ row: 2, cells: ['S1', 'x\u0000'] }, ['studentId', 'firstName']);
    const batch = batcher.finish(['studentId', 'firstName'], true);
    expect(batch?.records[0].parseError?.code).toBe('invalid_character');
    expect(() => new RecordBatcher(10, 2).add({ row: 2, cells: [] }, ['a', 'b', 'c'])).toThrow(expect.objectContaining({ code: 'too_many_columns' }));
  });

  it('makes a header holding such text a header error, named as it can be stored', () => {
    const { mapping, issues } = mapColumns(ImportEntity.Students, ['studentId', 'first\u0000Name', 'email', 'firstName', 'lastName'], ImportMode.Upsert);
    expect(issues).toEqual([expect.objectContaining({ row: 0, column: 'first\uFFFDName', field: null, severity: IssueSeverity.Error, code: 'invalid_character' })]);
    expect(mapping.columns[1]).toEqual({ index: 1, header: 'first\uFFFDName', field: null });
    expect(mapping.fieldColumns.get('firstName')).toBe(3);
  });
});

describe('file errors in our own words', () => {
  it('refuses UTF-32 text of either byte order as unsupported_encoding, 415', () => {
    for (const bom of [[0xff, 0xfe, 0x00, 0x00], [0x00, 0x00, 0xfe, 0xff]]) {
      const head = Buffer.concat([Buffer.from(bom), Buffer.from('a\u0000\u0000\u0000', 'latin1')]);
      expect(() => detectFormat('x.csv', head)).toThrow(expect.objectContaining({ code: 'unsupported_encoding', status: 415 }));
    }
    // UTF-16 LE with its BOM stays UTF-16.
    expect(detectFormat('x.csv', Buffer.from('\uFEFFa,b\n', 'utf16le'))).toBe('csv');
  });

  it('never passes on the message of the exception behind a refusal', async () => {
    const cases: [string, Buffer | string][] = [
      ['bad.json', '[{"a":1},{"b":tru}]'],
      ['bad.xlsx', buildZip(workbookParts('<worksheet><sheetData><row><c t="inlineStr"><is><t>x</is></c>'))],
    ];
    for (const [name, content] of cases) {
      const path = join(directory, name);
      writeFileSync(path, content);
      const failure = await (async () => {
        const opened = await openSource(path, { fileName: name });
        for await (const _batch of opened.batches);
      })().then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ImportFileError);
      const { message, cause } = failure as ImportFileError;
      expect(cause).toBeDefined();
      expect(message).not.toContain((cause as Error).message);
    }
  });

  it('makes the message storable when it quotes names from the file', () => {
    expect(new ImportFileError('sheet_not_found', 'no sheet "a\u0000\ud800"').message).toBe('no sheet "a\uFFFD\uFFFD"');
  });
});
