import { SharedStringTable } from '../../src/imports/readers/shared-strings';
import { isDateFormat, partName } from '../../src/imports/readers/xlsx-reader';
import { cellValue, CellContext, columnIndex, excelDate, XlsxSheetHandler } from '../../src/imports/readers/xlsx-sheet';
import { attributeValue, decodeXmlText, XmlHandler, XmlScanner } from '../../src/imports/readers/xml-scanner';

/** The scanner's events as text, for the document written in the given chunks. */
function events(...chunks: string[]): string[] {
  const seen: string[] = [];
  const handler: XmlHandler = {
    open: (name, attributes, selfClosing) => seen.push(`<${name}${attributes}${selfClosing ? '/' : ''}>`),
    close: (name) => seen.push(`</${name}>`),
    text: (text) => seen.push(text),
  };
  const scanner = new XmlScanner(handler);
  for (const chunk of chunks) scanner.write(chunk);
  scanner.end();
  return seen;
}

describe('XML scanner', () => {
  it('reports elements, attributes and decoded text, whatever the chunk boundaries', () => {
    const document = '\uFEFF<?xml version="1.0"?><!-- c --><x:a b="1 > 0" c=\'&amp;\'><b/>t&lt;&#x3A9;&#937;<![CDATA[<raw>]]></x:a>';
    const whole = events(document);
    expect(whole).toEqual(['<a b="1 > 0" c=\'&amp;\'>', '<b/>', 't<ΩΩ', '<raw>', '</a>']);
    for (let cut = 1; cut < document.length; cut++) {
      expect(events(document.slice(0, cut), document.slice(cut)).join('')).toBe(whole.join(''));
    }
  });

  it('refuses what is not well-formed, forbidden characters and a DOCTYPE', () => {
    for (const document of [
      '<a><b></a>',
      '<a>',
      '',
      'text<a/>',
      '<a/><b/>',
      '<a>\u0000</a>',
      '<a>&#0;</a>',
      '<a>&#xD800;</a>',
      '<a>&bogus;</a>',
      '<a>& </a>',
      '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
      '<a b="1></a>',
    ]) {
      expect(() => events(document)).toThrow(expect.objectContaining({ name: 'XmlError' }));
    }
  });

  it('reads attributes by local name, decoded', () => {
    expect(attributeValue(' r="A1" s = \'3\' t="s"', 's')).toBe('3');
    expect(attributeValue(' name="A &amp; B" r:id="rId2" sheetId="1"', 'id')).toBe('rId2');
    expect(attributeValue(' r="A1"', 't')).toBeUndefined();
    expect(() => attributeValue(' r=A1', 'r')).toThrow(expect.objectContaining({ name: 'XmlError' }));
    expect(decodeXmlText('a&quot;b&apos;&#128512;')).toBe('a"b\'😀');
  });
});

describe('shared string table', () => {
  it('keeps strings of any size and script, and answers null for empty or missing ones', () => {
    const table = new SharedStringTable();
    const long = 'Ω'.repeat(5_000_000);
    const strings = ['Παπαδόπουλος', '', 'plain', long, ...Array.from({ length: 5000 }, (_, index) => `s${index}`)];
    for (const text of strings) table.add(text);
    expect(table.size).toBe(strings.length);
    expect(table.get(0)).toBe('Παπαδόπουλος');
    expect(table.get(1)).toBeNull();
    expect(table.get(3)).toBe(long);
    expect(table.get(4003)).toBe('s3999');
    expect(table.get(strings.length)).toBeNull();
    expect(table.get(-1)).toBeNull();
    expect(table.get(Number.NaN)).toBeNull();
  });
});

describe('XLSX cells', () => {
  const sharedStrings = new SharedStringTable();
  sharedStrings.add('first');
  const context: CellContext = { sharedStrings, dateStyles: [false, true], date1904: false };

  it('reads each cell type', () => {
    expect(cellValue('s', '0', false, context)).toBe('first');
    expect(cellValue('s', '9', false, context)).toBeNull();
    expect(cellValue(undefined, '2.5', false, context)).toBe(2.5);
    expect(cellValue('n', 'x', false, context)).toBeNull();
    expect(cellValue(undefined, '45537', true, context)).toEqual(new Date('2024-09-02T00:00:00.000Z'));
    expect(cellValue('b', '1', false, context)).toBe(true);
    expect(cellValue('b', '0', false, context)).toBe(false);
    expect(cellValue('e', '#N/A', false, context)).toBeNull();
    expect(cellValue('str', 'result', false, context)).toBe('result');
    expect(cellValue('inlineStr', '', false, context)).toBe('');
    expect(cellValue(undefined, null, false, context)).toBeNull();
    expect(excelDate(0, true)).toEqual(new Date('1904-01-01T00:00:00.000Z'));
    expect(excelDate(1e12, false)).toBeNull();
  });

  it('places cells by reference, joins inline rich text without phonetic guides, and drops trailing empties', () => {
    const handler = new XlsxSheetHandler(context);
    const scanner = new XmlScanner(handler);
    scanner.write(
      '<worksheet><sheetData><row r="3"><c r="B3" t="inlineStr"><is><r><t>Ka</t></r><r><t>ta</t></r><rPh><t>x</t></rPh></is></c>' +
        '<c r="D3" s="1"><f>A1</f><v>45537</v></c><c r="E3" t="e"><v>#REF!</v></c></row><row><c t="s"><v>0</v></c></row></sheetData></worksheet>',
    );
    scanner.end();
    expect(handler.completed).toEqual([
      { number: 3, cells: [null, 'Kata', null, new Date('2024-09-02T00:00:00.000Z')] },
      { number: 4, cells: ['first'] },
    ]);
  });

  it('reads column letters and refuses references beyond Excel\'s last column', () => {
    expect(columnIndex('A1')).toBe(0);
    expect(columnIndex('AB12')).toBe(27);
    expect(columnIndex('XFD1')).toBe(16_383);
    expect(() => columnIndex('XFE1')).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
    expect(() => columnIndex('12')).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
  });

  it('finds date formats and part names as Excel does', () => {
    expect(isDateFormat('yyyy-mm-dd')).toBe(true);
    expect(isDateFormat('[Red]0.00')).toBe(false);
    expect(isDateFormat('"day "0')).toBe(false);
    expect(partName('worksheets/sheet1.xml')).toBe('xl/worksheets/sheet1.xml');
    expect(partName('/xl/worksheets/../worksheets/sheet2.xml')).toBe('xl/worksheets/sheet2.xml');
  });
});
