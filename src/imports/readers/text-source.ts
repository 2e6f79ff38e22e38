import { createReadStream } from 'node:fs';
import * as iconv from 'iconv-lite';
import { ReaderLimits } from './reader-limits';

/** Read size for streaming: large enough to amortise each await, small enough to bound memory. */
export const READ_CHUNK_BYTES = 64 * 1024;

export interface TextReaderOptions {
  encoding: string;
  limits: ReaderLimits;
  batchSize: number;
  /** Told the bytes of the file read so far, after each read. */
  onBytesRead?: (bytes: number) => void;
}

/**
 * The file's text in chunks, decoded by iconv-lite's streaming decoder (exact across chunk
 * boundaries, including a multi-byte character split between two reads), BOM removed.
 */
export async function* readDecodedText(path: string, encoding: string, onBytesRead?: (bytes: number) => void): AsyncGenerator<string, void, undefined> {
  const decoder = iconv.getDecoder(encoding);
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      onBytesRead?.(stream.bytesRead);
      const text = decoder.write(chunk as Buffer);
      if (text.length > 0) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    stream.destroy();
  }
}
