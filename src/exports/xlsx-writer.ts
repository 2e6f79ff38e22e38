import type { Writable } from 'node:stream';
import { ExportColumn } from './export-columns';
import { RawRow, XLSX_DATE_FORMATS, XlsxCellValue, xlsxRowFormatter } from './export-formats';
import type { BatchCallback, ExportLayout } from './export-writer';
import { ZipWriter } from './zip-writer';

/**
 * The XLSX export, written as the workbook's XML parts into a streamed zip: the sheet's rows are
 * XML text built one batch at a time and deflated as they come, with inline strings (a shared
 * strings table would hold every distinct text in memory). exceljs' streaming writer did the same
 * job at a third of the speed, most of it in building and serialising a cell model per value.
 */

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELATIONSHIPS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELATIONSHIPS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
/** Excel's serial day of 1970-01-01 (days count from 1899-12-30). */
const UNIX_EPOCH_SERIAL = 25_569;
const MS_PER_DAY = 86_400_000;

/** The cell styles of styles.xml, by index. */
const STYLE = { header: 1, date: 2, timestamp: 3 } as const;

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

/** `A`, `B`, … `Z`, `AA`, …: the letters of a column's cell references (0-based). */
export function columnLetters(index: number): string {
  let letters = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  return letters;
}

/** Leading or trailing white space is kept only when the text says so. */
function inlineString(reference: string, text: string, style = ''): string {
  const last = text.charCodeAt(text.length - 1);
  const space = text.charCodeAt(0) <= 32 || last <= 32 ? ' xml:space="preserve"' : '';
  return `<c r="${reference}"${style} t="inlineStr"><is><t${space}>${xmlText(text)}</t></is></c>`;
}

/** One cell's XML; nothing for a missing value. Dates become Excel's serial days in UTC, as exceljs wrote them. */
function cellXml(reference: string, value: XlsxCellValue, style: string): string {
  if (value === null) return '';
  if (typeof value === 'number') return `<c r="${reference}"><v>${value}</v></c>`;
  if (value instanceof Date) return `<c r="${reference}"${style}><v>${UNIX_EPOCH_SERIAL + value.getTime() / MS_PER_DAY}</v></c>`;
  return inlineString(reference, value);
}

/** The style attribute of a column's date cells, if it holds dates. */
function dateStyleOf(column: ExportColumn): string {
  if (column.kind === 'date') return ` s="${STYLE.date}"`;
  return column.kind === 'timestamp' ? ` s="${STYLE.timestamp}"` : '';
}

/** The rows' XML, numbered from `firstRow`, the values as the XLSX formatter gives them (labels, neutralised formulas). */
export function sheetRowsFormatter(columns: readonly ExportColumn[], layout: Pick<ExportLayout, 'language'>): (rows: readonly RawRow[], firstRow: number) => string {
  const letters = columns.map((_column, index) => columnLetters(index));
  const styles = columns.map(dateStyleOf);
  const values = xlsxRowFormatter(columns, layout.language);
  return (rows, firstRow) => {
    let xml = '';
    rows.forEach((row, offset) => {
      const number = firstRow + offset;
      xml += `<row r="${number}">`;
      values(row).forEach((value, index) => {
        xml += cellXml(letters[index] + number, value, styles[index]);
      });
      xml += '</row>';
    });
    return xml;
  };
}

/** The column widths exceljs was given: the label's length, within 12–40, 20 for instants. */
function widthOf(column: ExportColumn, label: string): number {
  return Math.min(40, Math.max(12, label.length + 2, column.kind === 'timestamp' ? 20 : 0));
}

/** The sheet's XML up to its first data row: a frozen header row of bold labels. */
function sheetStart(layout: ExportLayout): string {
  const labels = layout.columns.map((column) => column.label[layout.language]);
  const cols = layout.columns.map((column, index) => `<col min="${index + 1}" max="${index + 1}" width="${widthOf(column, labels[index])}" customWidth="1"/>`);
  const header = labels.map((label, index) => inlineString(`${columnLetters(index)}1`, label, ` s="${STYLE.header}"`));
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

function relationships(targets: readonly [type: string, target: string][]): string {
  const items = targets.map(([type, target], index) => `<Relationship Id="rId${index + 1}" Type="${RELATIONSHIPS}/${type}" Target="${target}"/>`);
  return `${DECLARATION}<Relationships xmlns="${PACKAGE_RELATIONSHIPS}">${items.join('')}</Relationships>`;
}

function workbook(sheetName: string): string {
  return `${DECLARATION}<workbook xmlns="${MAIN}" xmlns:r="${RELATIONSHIPS}"><sheets><sheet name="${xmlText(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;
}

/** Styles by STYLE's indexes: 0 plain, 1 bold, 2 and 3 the date formats. */
function styles(): string {
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

/**
 * Writes the batches as a one-sheet workbook into the sink, one deflated write per batch, waiting
 * whenever the sink is full: memory stays flat however many rows there are. Ends the sink.
 * Returns the number of rows written.
 */
export async function writeXlsx(batches: AsyncIterable<RawRow[]>, sink: Writable, layout: ExportLayout, afterBatch?: BatchCallback): Promise<number> {
  const zip = new ZipWriter(sink);
  await zip.addFile('[Content_Types].xml', contentTypes());
  await zip.addFile('_rels/.rels', relationships([['officeDocument', 'xl/workbook.xml']]));
  await zip.addFile('xl/workbook.xml', workbook(layout.sheetName));
  await zip.addFile('xl/_rels/workbook.xml.rels', relationships([['worksheet', 'worksheets/sheet1.xml'], ['styles', 'styles.xml']]));
  await zip.addFile('xl/styles.xml', styles());
  const sheet = await zip.addStream('xl/worksheets/sheet1.xml');
  await sheet.write(sheetStart(layout));
  const rowsXml = sheetRowsFormatter(layout.columns, layout);
  let rows = 0;
  for await (const batch of batches) {
    // Row 1 is the header.
    await sheet.write(rowsXml(batch, rows + 2));
    rows += batch.length;
    await afterBatch?.(rows);
  }
  await sheet.write(SHEET_END);
  await sheet.end();
  await zip.finish();
  return rows;
}
