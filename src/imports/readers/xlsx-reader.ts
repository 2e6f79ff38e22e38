import { CellValue, SourceBatch } from '../import.types';
import { ImportFileError } from './import-file.error';
import { fitToHeaders, isBlankRecord, RecordBatcher } from './record-batches';
import { SharedStringTable } from './shared-strings';
import { XlsxRow, XlsxSheetHandler } from './xlsx-sheet';
import { attributeValue, XmlError, XmlHandler, XmlScanner, XmlTextCollector } from './xml-scanner';
import { inflatedEntry, isInflatedByReader, verifyInflation, ZipDirectory, ZipEntry } from './zip-directory';
import { storableText } from '../../common/validation/storable-text';

export interface XlsxReaderOptions {
  /** The worksheet to read; the first one when absent. */
  sheet?: string;
  batchSize: number;
  maxColumns: number;
  /** Called with the chosen worksheet's name before its first batch. */
  onSheet: (name: string) => void;
}

const WORKBOOK_PART = 'xl/workbook.xml';
const WORKBOOK_RELATIONSHIPS_PART = 'xl/_rels/workbook.xml.rels';
const STYLES_PART = 'xl/styles.xml';
const SHARED_STRINGS_PART = 'xl/sharedStrings.xml';

/**
 * Rows of one worksheet, read straight from the archive's entries by the XML scanner: the first
 * non-blank row is the header row and `row` is the sheet row number. The workbook, styles (for
 * date cells) and shared strings are read first, then the sheet is streamed. Call only after
 * checkXlsxEntries and verifyXlsxEntries accepted the archive: each part read here is counted
 * against its declared size as it inflates, and the worksheets verifyXlsxEntries left to this
 * reader but not read are inflated and counted before the sheet (verifyInflation), so that every
 * entry has been checked once the first batch is out, as when verifyXlsxEntries inflated them all.
 */
export async function* readXlsxBatches(path: string, directory: ZipDirectory, options: XlsxReaderOptions): AsyncGenerator<SourceBatch, void, undefined> {
  const archive = new XlsxArchive(path, directory);
  const workbook = await archive.parse(WORKBOOK_PART, new WorkbookHandler());
  if (workbook === null) throw invalidXlsx(`it has no ${WORKBOOK_PART}`);
  if (workbook.sheets.length === 0) throw invalidXlsx('it contains no worksheet');
  const sheet = options.sheet === undefined ? workbook.sheets[0] : workbook.sheets.find((candidate) => candidate.name === options.sheet);
  if (sheet === undefined) {
    const names = workbook.sheets.map((candidate) => `"${candidate.name}"`).join(', ');
    throw new ImportFileError('sheet_not_found', `The workbook has no sheet named "${options.sheet}"; its sheets are: ${names}.`);
  }
  const targets = (await archive.parse(WORKBOOK_RELATIONSHIPS_PART, new RelationshipsHandler())) ?? new Map<string, string>();
  const sheetPart = targets.get(sheet.relationship);
  if (sheetPart === undefined || !archive.has(sheetPart)) throw invalidXlsx(`its sheet "${sheet.name}" has no part`);
  await archive.verifyUnread(sheetPart);
  const dateStyles = (await archive.parse(STYLES_PART, new StylesHandler())) ?? [];
  const sharedStrings = (await archive.parse(SHARED_STRINGS_PART, new SharedStringsHandler())) ?? new SharedStringTable();
  options.onSheet(storableText(sheet.name));
  const rows = new XlsxSheetHandler({ sharedStrings, dateStyles, date1904: workbook.date1904 });
  yield* batchRows(archive.rows(sheetPart, rows), options.batchSize, options.maxColumns);
}

async function* batchRows(chunks: AsyncIterable<XlsxRow[]>, batchSize: number, maxColumns: number): AsyncGenerator<SourceBatch, void, undefined> {
  const batcher = new RecordBatcher(batchSize, maxColumns);
  let headers: string[] | null = null;
  for await (const rows of chunks) {
    for (const row of rows) {
      if (isBlankRecord(row.cells)) continue;
      if (headers === null) {
        headers = row.cells.map(headerText);
        continue;
      }
      const batch = batcher.add(fitToHeaders(row.number, row.cells, headers.length, describeTooManyCells), headers);
      if (batch) yield batch;
    }
  }
  const last = batcher.finish(headers ?? [], headers !== null);
  if (last) yield last;
}

/** A handler that gives its part's content once the part has been scanned. */
interface PartHandler<T> extends XmlHandler {
  result(): T;
}

/** The archive's parts by name, each scanned from its inflated bytes. */
class XlsxArchive {
  private readonly entries: Map<string, ZipEntry>;

  constructor(
    private readonly path: string,
    private readonly directory: ZipDirectory,
  ) {
    this.entries = new Map(directory.entries.map((entry) => [entry.name, entry]));
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The part's content as the handler sees it; null when the archive has no such part, or an empty one (as some tools write styles). */
  async parse<T>(name: string, handler: PartHandler<T>): Promise<T | null> {
    if (!this.has(name) || this.entries.get(name)?.uncompressedSize === 0) return null;
    for await (const _ of this.scan(name, handler, () => false)) {
      // Nothing is yielded: the handler collects what the part holds.
    }
    return handler.result();
  }

  /** The sheet's rows as the handler completes them, those of a chunk of XML at a time: one await a chunk rather than a row. */
  async *rows(name: string, handler: XlsxSheetHandler): AsyncGenerator<XlsxRow[], void, undefined> {
    for await (const _ of this.scan(name, handler, () => handler.completed.length > 0)) {
      yield handler.completed;
      handler.completed = [];
    }
  }

  /**
   * Inflates and counts the entries verifyXlsxEntries left to this reader that it will not read:
   * the other worksheets, a shared-strings part declared empty (which parse skips), and any entry
   * whose name another entry also has (the reader takes one of them).
   */
  async verifyUnread(sheetPart: string): Promise<void> {
    const sharedStrings = this.entries.get(SHARED_STRINGS_PART);
    const read = new Set([this.entries.get(sheetPart), sharedStrings !== undefined && sharedStrings.uncompressedSize > 0 ? sharedStrings : undefined]);
    const unread = this.directory.entries.filter((entry) => isInflatedByReader(entry.name) && !read.has(entry));
    await verifyInflation(this.path, this.directory, unread);
  }

  /** Feeds the part's text to the handler; yields after each chunk for which `ready` holds, and once at the end. */
  private async *scan(name: string, handler: XmlHandler, ready: () => boolean): AsyncGenerator<void, void, undefined> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw invalidXlsx(`it has no ${name}`);
    const scanner = new XmlScanner(handler);
    try {
      for await (const chunk of inflatedEntry(this.path, this.directory, entry)) {
        scanner.write(chunk);
        if (ready()) yield;
      }
      scanner.end();
    } catch (error) {
      if (error instanceof XmlError) throw invalidXlsx(`its part ${name} is not well-formed XML`, error);
      throw error;
    }
    yield;
  }
}

interface SheetReference {
  name: string;
  relationship: string;
}

/** xl/workbook.xml: the sheets in their order, and the date system. */
class WorkbookHandler implements PartHandler<{ sheets: SheetReference[]; date1904: boolean }> {
  private readonly sheets: SheetReference[] = [];
  private date1904 = false;

  open(name: string, source: Buffer, start: number, end: number): void {
    if (name === 'sheet') {
      this.sheets.push({ name: attributeValue(source, 'name', start, end) ?? `Sheet${this.sheets.length + 1}`, relationship: attributeValue(source, 'id', start, end) ?? '' });
    } else if (name === 'workbookPr') {
      const value = attributeValue(source, 'date1904', start, end);
      this.date1904 = value === '1' || value === 'true';
    }
  }

  close(): void {}

  text(): void {}

  result(): { sheets: SheetReference[]; date1904: boolean } {
    return { sheets: this.sheets, date1904: this.date1904 };
  }
}

/** xl/_rels/workbook.xml.rels: relationship id → part name in the archive. */
class RelationshipsHandler implements PartHandler<Map<string, string>> {
  private readonly targets = new Map<string, string>();

  open(name: string, source: Buffer, start: number, end: number): void {
    if (name !== 'Relationship') return;
    const id = attributeValue(source, 'Id', start, end);
    const target = attributeValue(source, 'Target', start, end);
    if (id !== undefined && target !== undefined) this.targets.set(id, partName(target));
  }

  close(): void {}

  text(): void {}

  result(): Map<string, string> {
    return this.targets;
  }
}

/** A relationship target as an entry name: absolute from the package root, or relative to xl/. */
export function partName(target: string): string {
  const segments: string[] = [];
  for (const segment of (target.startsWith('/') ? target.slice(1) : `xl/${target}`).split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '.' && segment !== '') segments.push(segment);
  }
  return segments.join('/');
}

/** Built-in number formats that show a date or time (ECMA-376 18.8.30). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** xl/styles.xml: for each cell style (the `s` of a cell), whether its number format shows a date. */
class StylesHandler implements PartHandler<boolean[]> {
  private readonly customFormats = new Map<number, string>();
  private readonly cellFormats: number[] = [];
  private inCellFormats = false;

  open(name: string, source: Buffer, start: number, end: number, selfClosing: boolean): void {
    if (name === 'numFmt') {
      this.customFormats.set(Number(attributeValue(source, 'numFmtId', start, end)), attributeValue(source, 'formatCode', start, end) ?? '');
    } else if (name === 'cellXfs') {
      this.inCellFormats = !selfClosing;
    } else if (name === 'xf' && this.inCellFormats) {
      this.cellFormats.push(Number(attributeValue(source, 'numFmtId', start, end) ?? 0));
    }
  }

  close(name: string): void {
    if (name === 'cellXfs') this.inCellFormats = false;
  }

  text(): void {}

  result(): boolean[] {
    return this.cellFormats.map((id) => {
      const custom = this.customFormats.get(id);
      return custom === undefined ? BUILT_IN_DATE_FORMATS.has(id) : isDateFormat(custom);
    });
  }
}

/** Whether a format code shows a date or time: a y, m, d, h, s or b outside quoted text and [brackets], as Excel reads it. */
export function isDateFormat(code: string): boolean {
  return /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/**
 * xl/sharedStrings.xml: each <si>'s text, its rich-text runs joined and phonetic guides left out.
 * A plain <t> (one piece, no reference: nearly all of them) goes into the table as its bytes.
 */
class SharedStringsHandler implements PartHandler<SharedStringTable> {
  private readonly table = new SharedStringTable();
  private readonly current = new XmlTextCollector();
  private inText = false;
  private phoneticDepth = 0;

  open(name: string, _source: Buffer, _start: number, _end: number, selfClosing: boolean): void {
    if (selfClosing) {
      if (name === 'si') this.table.add('');
      return;
    }
    if (name === 'si') this.current.clear();
    else if (name === 't') this.inText = this.phoneticDepth === 0;
    else if (name === 'rPh') this.phoneticDepth++;
  }

  close(name: string): void {
    if (name === 'si') {
      const current = this.current;
      if (current.isPlain()) this.table.addBytes(current.source, current.start, current.end);
      else this.table.add(current.text());
    } else if (name === 't') {
      this.inText = false;
    } else if (name === 'rPh') {
      this.phoneticDepth--;
    }
  }

  text(source: Buffer, start: number, end: number, referenced: boolean): void {
    if (this.inText) this.current.add(source, start, end, referenced);
  }

  result(): SharedStringTable {
    return this.table;
  }
}

function describeTooManyCells(row: number, _cellCount: number, headerCount: number): string {
  return `Row ${row} has values beyond the ${headerCount} header columns.`;
}

/** Header cells are text in practice; a number or date header still gets a usable name. */
function headerText(cell: CellValue): string {
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return '';
}

function invalidXlsx(reason: string, cause?: unknown): ImportFileError {
  return new ImportFileError('invalid_xlsx', `The file is not a readable XLSX workbook: ${reason}.`, 422, { cause });
}
