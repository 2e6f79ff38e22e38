/**
 * Writes the benchmarks' XLSX workbooks as Excel lays them out: one sheet, a header row, inline or
 * shared strings, numbers, booleans and dates as serial numbers in a date-formatted style (the
 * export's parts and styles, src/exports/xlsx-writer.ts). exceljs'
 * streaming writer took over 20 minutes for 3 M rows and never finished; this one streams the sheet
 * through one deflate, so a workbook of any row count costs the time of deflating its XML.
 */
import { createWriteStream, WriteStream } from 'node:fs';
import { once } from 'node:events';
import { crc32, createDeflateRaw } from 'node:zlib';
import { columnLetters, XLSX_STYLE } from '../src/exports/export-xlsx-sql';
import { relationships, styles, workbook, xmlText } from '../src/exports/xlsx-writer';
import { StreamedEntry, ZIP_DEFLATE_LEVEL, ZipArchive } from '../src/exports/zip-writer';

export type WorkbookCell = string | number | boolean | Date;

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELATIONSHIPS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const SPREADSHEET = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
/** Day 0 of Excel's 1900 date system, as JavaScript counts time. */
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;
/** Bytes of XML gathered before they are deflated. */
const CHUNK_CHARACTERS = 1 << 20;

function contentTypes(sharedStrings: boolean): string {
  const parts: [string, string][] = [
    ['/xl/workbook.xml', `${SPREADSHEET}.sheet.main+xml`],
    ['/xl/worksheets/sheet1.xml', `${SPREADSHEET}.worksheet+xml`],
    ['/xl/styles.xml', `${SPREADSHEET}.styles+xml`],
    ...(sharedStrings ? [['/xl/sharedStrings.xml', `${SPREADSHEET}.sharedStrings+xml`] as [string, string]] : []),
  ];
  return (
    `${DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
    `${parts.map(([name, type]) => `<Override PartName="${name}" ContentType="${type}"/>`).join('')}</Types>`
  );
}

/** Writes the archive's bytes to the file, waiting when it is behind. */
class ArchiveFile {
  private readonly out: WriteStream;

  constructor(path: string) {
    this.out = createWriteStream(path);
  }

  async write(bytes: Buffer): Promise<void> {
    if (!this.out.write(bytes)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}

/** One streamed, deflated entry: XML text in, its compressed bytes to the file. */
async function writeStreamedEntry(zip: ZipArchive, file: ArchiveFile, name: string, texts: Iterable<string>): Promise<void> {
  const { header, entry } = zip.startStream(name);
  await file.write(header);
  await deflateInto(file, entry, texts);
  await file.write(zip.endStream(entry));
}

async function deflateInto(file: ArchiveFile, entry: StreamedEntry, texts: Iterable<string>): Promise<void> {
  const deflate = createDeflateRaw({ level: ZIP_DEFLATE_LEVEL });
  const written = (async () => {
    for await (const compressed of deflate as AsyncIterable<Buffer>) {
      entry.compressedSize += compressed.length;
      await file.write(compressed);
    }
  })();
  let pending = '';
  const flush = async () => {
    const data = Buffer.from(pending, 'utf8');
    pending = '';
    entry.crc = crc32(data, entry.crc);
    entry.size += data.length;
    if (!deflate.write(data)) await once(deflate, 'drain');
  };
  for (const text of texts) {
    pending += text;
    if (pending.length >= CHUNK_CHARACTERS) await flush();
  }
  await flush();
  deflate.end();
  await written;
}

/**
 * Writes `rows` under `header` as the one sheet of a workbook at `path`. With `sharedStrings`, text
 * goes to the shared strings table as Excel writes it (held in memory while the sheet is written);
 * without, each text is an inline string, as exceljs' streaming writer writes it.
 */
export async function writeWorkbook(path: string, header: readonly string[], rows: Iterable<readonly WorkbookCell[]>, options: { sharedStrings: boolean }): Promise<void> {
  const zip = new ZipArchive();
  const file = new ArchiveFile(path);
  const strings = new Map<string, number>();
  const letters = header.map((_, index) => columnLetters(index));
  const stringCell = (reference: string, text: string): string => {
    if (!options.sharedStrings) return `<c r="${reference}" t="inlineStr"><is><t>${xmlText(text)}</t></is></c>`;
    let index = strings.get(text);
    if (index === undefined) {
      index = strings.size;
      strings.set(text, index);
    }
    return `<c r="${reference}" t="s"><v>${index}</v></c>`;
  };
  const cell = (reference: string, value: WorkbookCell): string => {
    if (typeof value === 'string') return stringCell(reference, value);
    if (typeof value === 'number') return `<c r="${reference}"><v>${value}</v></c>`;
    if (typeof value === 'boolean') return `<c r="${reference}" t="b"><v>${value ? 1 : 0}</v></c>`;
    return `<c r="${reference}" s="${XLSX_STYLE.date}"><v>${(value.getTime() - EXCEL_EPOCH) / DAY_MS}</v></c>`;
  };
  function* sheet(): Iterable<string> {
    yield `${DECLARATION}<worksheet xmlns="${MAIN}" xmlns:r="${RELATIONSHIPS}"><sheetData>`;
    yield `<row r="1">${header.map((label, index) => stringCell(`${letters[index]}1`, label)).join('')}</row>`;
    let number = 1;
    for (const values of rows) {
      number += 1;
      yield `<row r="${number}">${values.map((value, index) => cell(`${letters[index]}${number}`, value)).join('')}</row>`;
    }
    yield '</sheetData></worksheet>';
  }
  await file.write(zip.file('[Content_Types].xml', contentTypes(options.sharedStrings)));
  await file.write(zip.file('_rels/.rels', relationships([['officeDocument', 'xl/workbook.xml']])));
  await file.write(zip.file('xl/workbook.xml', workbook('Students')));
  const parts: [string, string][] = [['worksheet', 'worksheets/sheet1.xml'], ['styles', 'styles.xml'], ...(options.sharedStrings ? [['sharedStrings', 'sharedStrings.xml'] as [string, string]] : [])];
  await file.write(zip.file('xl/_rels/workbook.xml.rels', relationships(parts)));
  await file.write(zip.file('xl/styles.xml', styles()));
  await writeStreamedEntry(zip, file, 'xl/worksheets/sheet1.xml', sheet());
  if (options.sharedStrings) {
    await writeStreamedEntry(zip, file, 'xl/sharedStrings.xml', sharedStringsXml(strings));
  }
  await file.write(zip.finish());
  await file.close();
}

function* sharedStringsXml(strings: Map<string, number>): Iterable<string> {
  yield `${DECLARATION}<sst xmlns="${MAIN}" count="${strings.size}" uniqueCount="${strings.size}">`;
  for (const text of strings.keys()) yield `<si><t>${xmlText(text)}</t></si>`;
  yield '</sst>';
}
