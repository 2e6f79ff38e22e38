import { SharedStringTable } from '../../src/imports/readers/shared-strings';
import { isDateFormat, partName } from '../../src/imports/readers/xlsx-reader';
import { cellValue, CellContext, columnIndex, excelDate, plainNumber, XlsxRow, XlsxSheetHandler } from '../../src/imports/readers/xlsx-sheet';
import { attributeValue, decodeXmlText, xmlText, XmlHandler, XmlScanner } from '../../src/imports/readers/xml-scanner';

/** The scanner's events as text, for the document written in the given chunks. */
function events(...chunks: (string | Buffer)[]): string[] {
  const seen: string[] = [];
  const handler: XmlHandler = {
    open: (name, source, start, end, selfClosing) => seen.push(`<${name}${source.toString('utf8', start, end)}${selfClosing ? '/' : ''}>`),
    close: (name) => seen.push(`</${name}>`),
    text: (source, start, end) => seen.push(source.toString('latin1', start, end)),
  };
  const scanner = new XmlScanner(handler);
  for (const chunk of chunks) scanner.write(Buffer.from(chunk));
  scanner.end();
  // Text pieces are raw bytes, which may cut a character: joined, then decoded.
  return seen.map((event) => (event.startsWith('<') ? event : xmlText(Buffer.from(event, 'latin1'), 0, Buffer.byteLength(event, 'latin1'))));
}

/** The events with adjacent text pieces joined, which is what a handler sees once it collects them. */
function joinedText(document: Buffer, cut: number): string {
  const seen: string[] = [];
  let text: Buffer[] = [];
  const flush = (): void => {
    if (text.length > 0) seen.push(xmlText(Buffer.concat(text), 0, Buffer.concat(text).length));
    text = [];
  };
  const scanner = new XmlScanner({
    open: (name, source, start, end, selfClosing) => {
      flush();
      seen.push(`<${name}${source.toString('utf8', start, end)}${selfClosing ? '/' : ''}>`);
    },
    close: (name) => {
      flush();
      seen.push(`</${name}>`);
    },
    text: (source, start, end) => text.push(Buffer.from(source.subarray(start, end))),
  });
  scanner.write(document.subarray(0, cut));
  scanner.write(document.subarray(cut));
  scanner.end();
  return seen.join('|');
}

describe('XML scanner', () => {
  it('reports elements, attributes and decoded text, whatever the chunk boundaries', () => {
    const document = Buffer.from('\uFEFF<?xml version="1.0"?><!-- c --><x:a b="1 > 0" c=\'&amp;\'><b/>t&lt;&#x3A9;Ω&#937;<![CDATA[<raw>&]]></x:a>');
    const whole = events(document);
    expect(whole).toEqual(['<a b="1 > 0" c=\'&amp;\'>', '<b/>', 't<ΩΩΩ', '<raw>&', '</a>']);
    const joined = joinedText(document, document.length);
    expect(joined).toBe('<a b="1 > 0" c=\'&amp;\'>|<b/>|t<ΩΩΩ<raw>&|</a>');
    // Cut at every byte, inside the byte order mark, a tag, a reference or a character.
    for (let cut = 1; cut < document.length; cut++) expect(joinedText(document, cut)).toBe(joined);
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
      '<a>\uFFFE</a>',
      '<a b="\u0001"/>',
      '<a><!-- \u0002 --></a>',
    ]) {
      expect(() => events(document)).toThrow(expect.objectContaining({ name: 'XmlError' }));
    }
  });

  it('reads attributes by local name, decoded', () => {
    const attributes = (text: string): Buffer => Buffer.from(text);
    expect(attributeValue(attributes(' r="A1" s = \'3\' t="s"'), 's')).toBe('3');
    expect(attributeValue(attributes(' name="A &amp; B" r:id="rId2" sheetId="1"'), 'id')).toBe('rId2');
    expect(attributeValue(attributes(' name="A &amp; B" r:id="rId2"'), 'name')).toBe('A & B');
    // Only the range given is read: here r="A1" of the tag.
    expect(attributeValue(attributes('<x r="A1" t="n"/>'), 'r', 2, 9)).toBe('A1');
    expect(attributeValue(attributes('<x r="A1" t="n"/>'), 't', 2, 9)).toBeUndefined();
    expect(attributeValue(attributes(' r="A1"'), 't')).toBeUndefined();
    expect(() => attributeValue(attributes(' r=A1'), 'r')).toThrow(expect.objectContaining({ name: 'XmlError' }));
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

  it('takes strings as their UTF-8 bytes, and answers each again from its cache or its page', () => {
    const table = new SharedStringTable();
    const bytes = Buffer.from('xxΜαρίαyy');
    table.addBytes(bytes, 2, bytes.length - 2);
    table.addBytes(bytes, 0, 0);
    for (let index = 0; index < 10_000; index++) table.add(`s${index}`);
    expect(table.get(0)).toBe('Μαρία');
    expect(table.get(1)).toBeNull();
    // 4098 shares the first slot of the cache with 2: each evicts the other.
    for (const index of [2, 4098, 2, 4098, 4098]) expect(table.get(index)).toBe(`s${index - 2}`);
    expect(table.get(0)).toBe('Μαρία');
    const startingEmpty = new SharedStringTable();
    startingEmpty.add('');
    startingEmpty.add('x');
    expect([startingEmpty.get(0), startingEmpty.get(1)]).toEqual([null, 'x']);
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

  /** The rows of a sheet written in two chunks cut at `cut`. */
  function sheetRows(document: Buffer, cut = document.length): XlsxRow[] {
    const handler = new XlsxSheetHandler(context);
    const scanner = new XmlScanner(handler);
    scanner.write(document.subarray(0, cut));
    scanner.write(document.subarray(cut));
    scanner.end();
    return handler.completed;
  }

  it('places cells by reference, joins inline rich text without phonetic guides, and drops trailing empties', () => {
    const rows = sheetRows(
      Buffer.from(
        '<worksheet><sheetData><row r="3"><c r="B3" t="inlineStr"><is><r><t>Ka</t></r><r><t>ta</t></r><rPh><t>x</t></rPh></is></c>' +
          '<c r="D3" s="1"><f>A1</f><v>45537</v></c><c r="E3" t="e"><v>#REF!</v></c></row><row><c t="s"><v>0</v></c></row></sheetData></worksheet>',
      ),
    );
    expect(rows).toEqual([
      { number: 3, cells: [null, 'Kata', null, new Date('2024-09-02T00:00:00.000Z')] },
      { number: 4, cells: ['first'] },
    ]);
  });

  it('reads every kind of value the same wherever a chunk ends', () => {
    const document = Buffer.from(
      '<worksheet><sheetData><row r="2" spans="1:9"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>-12</v></c><c r="C2"><v>2.5E-3</v></c>' +
        '<c r="D2" t="b"><v>1</v></c><c r="E2" t="str"><v>a &amp; Ω</v></c><c r="F2" s="1"><v>45537.5</v></c><c r="G2" t="n"><v>1234567890123456789</v></c>' +
        '<c r="H2" t="d"><v>2024-09-02</v></c><c r="I2" t="s"><v>&#48;</v></c><c r="J2"/><c r="K2" t="inlineStr"><is><t>Ελ</t></is></c></row></sheetData></worksheet>',
    );
    const expected = [
      {
        number: 2,
        cells: ['first', -12, 0.0025, true, 'a & Ω', new Date('2024-09-02T12:00:00.000Z'), 1.2345678901234568e18, new Date('2024-09-02T00:00:00.000Z'), 'first', null, 'Ελ'],
      },
    ];
    expect(sheetRows(document)).toEqual(expected);
    for (let cut = 1; cut < document.length; cut++) expect(sheetRows(document, cut)).toEqual(expected);
  });

  it('reads plain integers from bytes and leaves any other number to parseFloat', () => {
    const number = (text: string): number | null => plainNumber(Buffer.from(text), 0, text.length);
    expect(number('45537')).toBe(45537);
    expect(number('-7')).toBe(-7);
    expect(number('123456789012345')).toBe(123456789012345);
    expect(number('1234567890123456')).toBeNull();
    expect(number('2.5')).toBeNull();
    expect(number('')).toBeNull();
    expect(number('-')).toBeNull();
  });

  it('reads column letters and refuses references beyond Excel\'s last column', () => {
    const column = (reference: string): number => columnIndex(Buffer.from(reference), 0, reference.length);
    expect(column('A1')).toBe(0);
    expect(column('AB12')).toBe(27);
    expect(column('XFD1')).toBe(16_383);
    expect(() => column('XFE1')).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
    expect(() => column('12')).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
  });

  it('finds date formats and part names as Excel does', () => {
    expect(isDateFormat('yyyy-mm-dd')).toBe(true);
    expect(isDateFormat('[Red]0.00')).toBe(false);
    expect(isDateFormat('"day "0')).toBe(false);
    expect(partName('worksheets/sheet1.xml')).toBe('xl/worksheets/sheet1.xml');
    expect(partName('/xl/worksheets/../worksheets/sheet2.xml')).toBe('xl/worksheets/sheet2.xml');
  });
});
