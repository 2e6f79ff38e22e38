import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CopyJsonStream } from '../../src/exports/copy-json-stream';

/** A binary COPY as PostgreSQL writes it: signature, flags, extension, one-field tuples, trailer. */
function binaryCopy(objects: string[], extension = Buffer.alloc(0), fieldCount = 1): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0, 0);
  header.writeUInt32BE(extension.length, 4);
  const tuples = objects.map((object) => {
    const bytes = Buffer.from(object, 'utf8');
    const start = Buffer.alloc(6);
    start.writeInt16BE(fieldCount, 0);
    start.writeInt32BE(bytes.length, 2);
    return Buffer.concat([start, bytes]);
  });
  return Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), header, extension, ...tuples, Buffer.from([0xff, 0xff])]);
}

async function converted(copy: Buffer, array: boolean, chunkBytes: number): Promise<{ text: string; records: number }> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < copy.length; offset += chunkBytes) chunks.push(copy.subarray(offset, offset + chunkBytes));
  const stream = new CopyJsonStream(array);
  const text = (await buffer(Readable.from(chunks).pipe(stream))).toString('utf8');
  return { text, records: stream.records };
}

const OBJECTS = ['{"id":1,"lastName":"Παπαδοπούλου"}', '{"id":2,"note":"a\\\\b \\"c\\""}', '{"id":3,"note":null}'];

describe('CopyJsonStream', () => {
  it.each([1, 2, 5, 19, 64, 100_000])('writes NDJSON and a JSON array from a binary COPY, whatever the chunks (%i bytes)', async (chunkBytes) => {
    const copy = binaryCopy(OBJECTS);
    expect(await converted(copy, false, chunkBytes)).toEqual({ text: `${OBJECTS.join('\n')}\n`, records: 3 });
    const json = await converted(copy, true, chunkBytes);
    expect(json).toEqual({ text: `[\n${OBJECTS.join(',\n')}\n]\n`, records: 3 });
    expect(JSON.parse(json.text)).toEqual(OBJECTS.map((object) => JSON.parse(object)));
  });

  it('writes an empty array, or nothing, without rows, and skips a header extension', async () => {
    expect(await converted(binaryCopy([]), true, 7)).toEqual({ text: '[]\n', records: 0 });
    expect(await converted(binaryCopy([]), false, 7)).toEqual({ text: '', records: 0 });
    expect(await converted(binaryCopy(OBJECTS.slice(0, 1), Buffer.from('extension')), false, 3)).toEqual({ text: `${OBJECTS[0]}\n`, records: 1 });
  });

  it('fails on a COPY that is not one object per row, or that ends early', async () => {
    await expect(converted(binaryCopy(OBJECTS, undefined, 2), false, 64)).rejects.toThrow('a row of 2 fields');
    await expect(converted(binaryCopy(OBJECTS).subarray(0, 40), false, 64)).rejects.toThrow('ended before its trailer');
    await expect(converted(Buffer.from(`${OBJECTS[0]}\n`), false, 64)).rejects.toThrow('no binary COPY signature');
  });
});
