import { Transform, TransformCallback } from 'node:stream';
import { crc32, createDeflateRaw, DeflateRaw } from 'node:zlib';
import { ExportColumn } from './export-columns';
import { XLSX_DATE_FORMATS } from './export-formats';
import { columnLetters, XLSX_STYLE } from './export-xlsx-sql';
import type { ExportLayout } from './export-writer';
import { StreamedEntry, ZIP_DEFLATE_LEVEL, ZipArchive } from './zip-writer';

/**
 * The XLSX export, written as the workbook's XML parts into a streamed zip. The sheet's rows come
 * as XML text from PostgreSQL (export-xlsx-sql.ts), one `<row>` per line, inline strings (a
 * shared strings table would hold every distinct text in memory); this stream adds the parts
 * around them and deflates them as they come. Building the rows in Node from cursor rows spent
 * most of the time and memory on JavaScript strings; exceljs before it, on a cell model per value.
 */

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELATIONSHIPS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELATIONSHIPS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
/** Characters XML 1.0 cannot hold at all, and those that markup gives meaning to. */
// eslint-disable-next-line no-control-regex -- these are the characters XML 1.0 cannot hold
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const MARKUP = /[&<>"]/g;
// eslint-disable-next-line no-control-regex -- as NOT_XML
const NEEDS_ESCAPE = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Text as XML character data or attribute value. Control characters other than tab, LF and CR
 * cannot be written in XML 1.0 at all (a spreadsheet cannot hold them either): they are left out.
 */
export function xmlText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(NOT_XML, '').replace(MARKUP, (character) => ENTITIES[character]);
}

/** Leading or trailing white space is kept only when the text says so. */
function inlineString(reference: string, text: string, style = ''): string {
  const last = text.charCodeAt(text.length - 1);
  const space = text.charCodeAt(0) <= 32 || last <= 32 ? ' xml:space="preserve"' : '';
  return `<c r="${reference}"${style} t="inlineStr"><is><t${space}>${xmlText(text)}</t></is></c>`;
}

/** The column widths exceljs was given: the label's length, within 12–40, 20 for instants. */
function widthOf(column: ExportColumn, label: string): number {
  return Math.min(40, Math.max(12, label.length + 2, column.kind === 'timestamp' ? 20 : 0));
}

/** The sheet's XML up to its first data row: a frozen header row of bold labels. */
function sheetStart(layout: ExportLayout): string {
  const labels = layout.columns.map((column) => column.label[layout.language]);
  const cols = layout.columns.map((column, index) => `<col min="${index + 1}" max="${index + 1}" width="${widthOf(column, labels[index])}" customWidth="1"/>`);
  const header = labels.map((label, index) => inlineString(`${columnLetters(index)}1`, label, ` s="${XLSX_STYLE.header}"`));
  return (
    `${DECLARATION}<worksheet xmlns="${MAIN}" xmlns:r="${RELATIONSHIPS}">` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
    `<sheetFormatPr defaultRowHeight="15"/><cols>${cols.join('')}</cols><sheetData><row r="1">${header.join('')}</row>`
  );
}

const SHEET_END = '</sheetData></worksheet>';

function contentTypes(): string {
  const part = (name: string, type: string): string => `<Override PartName="${name}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.${type}+xml"/>`;
  return (
    `${DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
    `${part('/xl/workbook.xml', 'sheet.main')}${part('/xl/worksheets/sheet1.xml', 'worksheet')}${part('/xl/styles.xml', 'styles')}</Types>`
  );
}

/** A relationships part: each target by its type, as rId1, rId2, … */
export function relationships(targets: readonly [type: string, target: string][]): string {
  const items = targets.map(([type, target], index) => `<Relationship Id="rId${index + 1}" Type="${RELATIONSHIPS}/${type}" Target="${target}"/>`);
  return `${DECLARATION}<Relationships xmlns="${PACKAGE_RELATIONSHIPS}">${items.join('')}</Relationships>`;
}

/** A workbook part of one sheet, rId1 of its relationships. */
export function workbook(sheetName: string): string {
  return `${DECLARATION}<workbook xmlns="${MAIN}" xmlns:r="${RELATIONSHIPS}"><sheets><sheet name="${xmlText(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;
}

/** Styles by XLSX_STYLE's indexes: 0 plain, 1 bold, 2 and 3 the date formats. */
export function styles(): string {
  const font = (bold: boolean): string => `<font>${bold ? '<b/>' : ''}<sz val="11"/><name val="Calibri"/><family val="2"/></font>`;
  const xf = (numFmtId: number, fontId: number, apply: string): string => `<xf numFmtId="${numFmtId}" fontId="${fontId}" fillId="0" borderId="0" xfId="0"${apply}/>`;
  return (
    `${DECLARATION}<styleSheet xmlns="${MAIN}">` +
    `<numFmts count="2"><numFmt numFmtId="164" formatCode="${xmlText(XLSX_DATE_FORMATS.date!)}"/><numFmt numFmtId="165" formatCode="${xmlText(XLSX_DATE_FORMATS.timestamp!)}"/></numFmts>` +
    `<fonts count="2">${font(false)}${font(true)}</fonts>` +
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    `<cellXfs count="4">${xf(0, 0, '')}${xf(0, 1, ' applyFont="1"')}${xf(164, 0, ' applyNumberFormat="1"')}${xf(165, 0, ' applyNumberFormat="1"')}</cellXfs>` +
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
  );
}

/** COPY's quote character, which wraps a row holding CR or LF (see xlsxCopySql). */
const QUOTE = 0x02;
const LF = 0x0a;

function lineFeedsBetween(chunk: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = chunk.indexOf(LF, from); at !== -1 && at < to; at = chunk.indexOf(LF, at + 1)) count += 1;
  return count;
}

/**
 * Turns the output of an XLSX COPY (xlsxCopySql) into the XLSX file: the parts, the sheet's start,
 * the rows as they come (COPY's quote characters dropped; the line feeds between rows are white
 * space between elements, which XML ignores), the sheet's end, the zip's directory. Counts the
 * rows: the line feeds outside quotes. Deflating runs on libuv's thread pool, and the next chunk
 * is taken only once the last is deflated, so the bytes in memory stay a few chunks whatever the
 * row count.
 */
export class XlsxFileStream extends Transform {
  /** The rows passed through so far (the rows of the export; the header row is not counted). */
  records = 0;
  private quoted = false;
  private readonly zip = new ZipArchive();
  private readonly sheet: StreamedEntry;
  private readonly deflate: DeflateRaw = createDeflateRaw({ level: ZIP_DEFLATE_LEVEL });

  constructor(layout: ExportLayout) {
    super();
    this.push(this.zip.file('[Content_Types].xml', contentTypes()));
    this.push(this.zip.file('_rels/.rels', relationships([['officeDocument', 'xl/workbook.xml']])));
    this.push(this.zip.file('xl/workbook.xml', workbook(layout.sheetName)));
    this.push(this.zip.file('xl/_rels/workbook.xml.rels', relationships([['worksheet', 'worksheets/sheet1.xml'], ['styles', 'styles.xml']])));
    this.push(this.zip.file('xl/styles.xml', styles()));
    const { header, entry } = this.zip.startStream('xl/worksheets/sheet1.xml');
    this.push(header);
    this.sheet = entry;
    this.deflate.on('data', (compressed: Buffer) => {
      entry.compressedSize += compressed.length;
      this.push(compressed);
    });
    this.deflate.on('error', (error) => this.destroy(error));
    this.writeSheet(Buffer.from(sheetStart(layout), 'utf8'));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.writeSheet(this.rowsOf(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.writeSheet(Buffer.from(SHEET_END, 'utf8'));
    // `end` comes once the last compressed bytes have been pushed; an error destroys this stream instead.
    this.deflate.once('end', () => {
      try {
        this.push(this.zip.endStream(this.sheet));
        this.push(this.zip.finish());
        callback();
      } catch (error) {
        callback(error as Error);
      }
    });
    this.deflate.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.deflate.destroy();
    callback(error);
  }

  private writeSheet(data: Buffer, written?: () => void): void {
    this.sheet.crc = crc32(data, this.sheet.crc);
    this.sheet.size += data.length;
    this.deflate.write(data, written);
  }

  /** The chunk without COPY's quote characters, counting the rows it ends; most chunks hold none and pass as they are. */
  private rowsOf(chunk: Buffer): Buffer {
    let quote = chunk.indexOf(QUOTE);
    if (quote === -1) {
      if (!this.quoted) this.records += lineFeedsBetween(chunk, 0, chunk.length);
      return chunk;
    }
    const output = Buffer.allocUnsafe(chunk.length);
    let at = 0;
    let from = 0;
    for (; quote !== -1; quote = chunk.indexOf(QUOTE, from)) {
      if (!this.quoted) this.records += lineFeedsBetween(chunk, from, quote);
      at += chunk.copy(output, at, from, quote);
      this.quoted = !this.quoted;
      from = quote + 1;
    }
    if (!this.quoted) this.records += lineFeedsBetween(chunk, from, chunk.length);
    at += chunk.copy(output, at, from);
    return output.subarray(0, at);
  }
}
