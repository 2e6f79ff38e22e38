import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inflateRawSync } from 'node:zlib';
import { ExportColumn } from '../../src/exports/export-columns';
import { ExportFormat, ExportLanguage } from '../../src/exports/export.enums';
import { XlsxFileStream } from '../../src/exports/xlsx-writer';

const COLUMNS: ExportColumn[] = [{ name: 'note', sql: 'note', kind: 'text', label: { en: 'Note', el: 'Σημείωση' } }];
const LAYOUT = { format: ExportFormat.Xlsx, columns: COLUMNS, language: ExportLanguage.English, byteOrderMark: false, sheetName: 'Notes & more' };

/** What an XLSX COPY writes: rows one a line, a row holding a line feed wrapped in the quote character 2. */
const COPY_OUTPUT = Buffer.from(
  '<row r="2"><c r="A2" t="inlineStr"><is><t>one</t></is></c></row>\n' +
    '\u0002<row r="3"><c r="A3" t="inlineStr"><is><t>two\nlines\r\n</t></is></c></row>\u0002\n' +
    '<row r="4"><c r="A4" t="inlineStr"><is><t>Μαρία</t></is></c></row>\n',
  'utf8',
);

async function fileOf(chunks: Buffer[]): Promise<{ file: Buffer; records: number }> {
  const stream = new XlsxFileStream(LAYOUT);
  const output: Buffer[] = [];
  await pipeline(Readable.from(chunks), stream, new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output.push(chunk);
      callback();
    },
  }));
  return { file: Buffer.concat(output), records: stream.records };
}

/** A zip's entries by name, read through its central directory, as the format says (and not as the writer meant). */
function zipEntries(file: Buffer): Map<string, string> {
  const end = file.length - 22;
  expect(file.readUInt32LE(end)).toBe(0x06054b50);
  const entries = new Map<string, string>();
  let at = file.readUInt32LE(end + 16);
  for (let index = 0; index < file.readUInt16LE(end + 10); index += 1) {
    expect(file.readUInt32LE(at)).toBe(0x02014b50);
    const compressedSize = file.readUInt32LE(at + 20);
    const nameLength = file.readUInt16LE(at + 28);
    const name = file.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = file.readUInt32LE(at + 42);
    const data = local + 30 + file.readUInt16LE(local + 26) + file.readUInt16LE(local + 28);
    entries.set(name, inflateRawSync(file.subarray(data, data + compressedSize)).toString('utf8'));
    at += 46 + nameLength + file.readUInt16LE(at + 30) + file.readUInt16LE(at + 32);
  }
  return entries;
}

/** The chunks of `bytes`, `size` bytes each. */
function split(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

describe('XlsxFileStream', () => {
  it.each([1, 2, 7, 64, COPY_OUTPUT.length])('drops the quotes, counts the rows and writes a workbook, in chunks of %i bytes', async (size) => {
    const { file, records } = await fileOf(split(COPY_OUTPUT, size));
    expect(records).toBe(3);
    const zip = zipEntries(file);
    const sheet = zip.get('xl/worksheets/sheet1.xml')!;
    expect(sheet).toContain('<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>Note</t></is></c></row>');
    expect(sheet.slice(sheet.indexOf('<row r="2">'))).toBe(`${COPY_OUTPUT.toString('utf8').replaceAll('\u0002', '')}</sheetData></worksheet>`);
    expect(zip.get('xl/workbook.xml')).toContain('<sheet name="Notes &amp; more"');
    expect([...zip.keys()].sort()).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
  });

  it('writes a sheet with the header alone when there are no rows', async () => {
    const { file, records } = await fileOf([]);
    expect(records).toBe(0);
    const sheet = zipEntries(file).get('xl/worksheets/sheet1.xml')!;
    expect(sheet.endsWith('</row></sheetData></worksheet>')).toBe(true);
  });
});
