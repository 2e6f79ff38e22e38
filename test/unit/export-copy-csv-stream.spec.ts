import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyCsvStream } from '../../src/exports/copy-csv-stream';

/** Runs `chunks` through a CopyCsvStream and returns the output and the records counted. */
async function convert(prefix: string, chunks: readonly Buffer[]): Promise<{ text: string; records: number }> {
  const csv = new CopyCsvStream(prefix);
  const output: Buffer[] = [];
  await pipeline(Readable.from(chunks), csv, new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output.push(chunk);
      callback();
    },
  }));
  return { text: Buffer.concat(output).toString('utf8'), records: csv.records };
}

/** The text cut into chunks of `size` bytes (cutting multi-byte characters and quote pairs too). */
function chunked(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

// Records as COPY writes them: quoted cells with doubled quotes and line breaks of their own.
const RECORDS = [
  '1,plain,Active',
  '2,"Σημείωση, με ""εισαγωγικά""",Inactive',
  '3,"two\nlines",',
  '4,"CRLF\r\ninside",Active',
  '5,"""quoted""","a\n""b""\nc"',
  '6,,',
  '7,"\n",""""',
];
/** COPY ends each record with LF… */
const COPY_OUTPUT = RECORDS.map((record) => `${record}\n`).join('');
/** …the export with CRLF. */
const EXPECTED = RECORDS.map((record) => `${record}\r\n`).join('');

describe('CopyCsvStream', () => {
  it('ends records with CRLF, keeps line breaks inside quoted cells, and counts the records', async () => {
    await expect(convert('', [Buffer.from(COPY_OUTPUT)])).resolves.toEqual({ text: EXPECTED, records: 7 });
  });

  it('writes the prefix first and does not count it', async () => {
    await expect(convert('\ufeffID,Note\r\n', [Buffer.from('1,x\n')])).resolves.toEqual({ text: '\ufeffID,Note\r\n1,x\r\n', records: 1 });
  });

  it('writes only the prefix when there are no rows', async () => {
    await expect(convert('ID\r\n', [])).resolves.toEqual({ text: 'ID\r\n', records: 0 });
  });

  it.each([1, 2, 3, 5, 7, 64])('gives the same output whatever the chunks (%i bytes)', async (size) => {
    await expect(convert('H\r\n', chunked(COPY_OUTPUT, size))).resolves.toEqual({ text: `H\r\n${EXPECTED}`, records: 7 });
  });

  it('keeps a record cut at its end for the next chunk', async () => {
    await expect(convert('', [Buffer.from('1,"a\n'), Buffer.from('b"'), Buffer.from('\n2,c'), Buffer.from('\n')])).resolves.toEqual({
      text: '1,"a\nb"\r\n2,c\r\n',
      records: 2,
    });
  });
});
