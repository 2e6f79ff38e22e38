import { open } from 'node:fs/promises';
import * as iconv from 'iconv-lite';
import { ImportFormat, SourceBatch } from '../import.types';
import { readCsvBatches } from './csv-reader';
import { detectDelimiter } from './detect-delimiter';
import { detectEncoding, HEAD_SAMPLE_BYTES } from './detect-encoding';
import { detectFormat } from './detect-format';
import { readJsonBatches, readNdjsonBatches } from './json-reader';
import { ReaderLimits, resolveReaderLimits } from './reader-limits';
import { readXlsxBatches } from './xlsx-reader';
import { checkXlsxEntries, readZipDirectory, verifyXlsxEntries } from './zip-directory';

export interface SourceDetection {
  format: ImportFormat;
  /** iconv-lite name of the text encoding; null for XLSX. */
  encoding: string | null;
  /** CSV only. */
  delimiter: string | null;
  /** XLSX only: the worksheet read. */
  sheet: string | null;
}

export interface OpenSourceOptions {
  /** The uploaded file's name: its extension declares the format. */
  fileName: string;
  /** Overrides the extension, not the content check. */
  format?: ImportFormat;
  /** XLSX worksheet name; the first worksheet when absent. */
  sheet?: string;
  limits?: Partial<ReaderLimits>;
  batchSize?: number;
  /** Told the bytes of a CSV, JSON or NDJSON file read so far (an XLSX file is read by its entries, and does not count them). */
  onBytesRead?: (bytes: number) => void;
}

export interface OpenedSource {
  detection: SourceDetection;
  /**
   * The records in batches, readable once. Iterate to the end, or stop with break/return (or call
   * the iterator's return()) so the file is closed.
   */
  batches: AsyncIterable<SourceBatch>;
}

const DEFAULT_BATCH_SIZE = 1000;

/**
 * Detects the file's format, encoding, delimiter and sheet, and reads up to its first batch, so
 * that every problem found at the start of the file (empty, header only, unsupported, zip bomb,
 * missing sheet, broken JSON opening) rejects here, before the caller commits to anything.
 * Problems later in the file throw from the iteration.
 */
export async function openSource(path: string, options: OpenSourceOptions): Promise<OpenedSource> {
  const limits = resolveReaderLimits(options.limits);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const head = await readHead(path, HEAD_SAMPLE_BYTES);
  const format = detectFormat(options.fileName, head, options.format);
  const detection: SourceDetection = { format, encoding: null, delimiter: null, sheet: null };
  let batches: AsyncGenerator<SourceBatch, void, undefined>;
  if (format === ImportFormat.Xlsx) {
    // The declared sizes first, which refuses an honest zip bomb at once; then the real ones, since
    // an archive can declare what it likes: the small parts are inflated here, the shared strings and
    // worksheets only once, by the reader, which refuses an entry as soon as it passes its declared size.
    const directory = await readZipDirectory(path);
    checkXlsxEntries(directory.entries, limits);
    await verifyXlsxEntries(path, directory, limits);
    batches = readXlsxBatches(path, directory, { sheet: options.sheet, batchSize, maxColumns: limits.maxColumns, onSheet: (name) => (detection.sheet = name) });
  } else {
    const encoding = detectEncoding(head);
    detection.encoding = encoding;
    if (format === ImportFormat.Csv) {
      const delimiter = detectDelimiter(iconv.decode(head, encoding));
      detection.delimiter = delimiter;
      batches = readCsvBatches(path, { encoding, delimiter, limits, batchSize, onBytesRead: options.onBytesRead });
    } else {
      const read = format === ImportFormat.Json ? readJsonBatches : readNdjsonBatches;
      batches = read(path, { encoding, limits, batchSize, onBytesRead: options.onBytesRead });
    }
  }
  const first = await batches.next();
  return { detection, batches: startingWith(first, batches) };
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The generator again, its already-read first result included; return() closes the file even before iteration starts. */
function startingWith(first: IteratorResult<SourceBatch, void>, rest: AsyncGenerator<SourceBatch, void, undefined>): AsyncIterable<SourceBatch> {
  let pending: IteratorResult<SourceBatch, void> | null = first;
  const iterator: AsyncIterator<SourceBatch, void, undefined> = {
    next: async () => {
      if (pending === null) return rest.next();
      const result = pending;
      pending = null;
      return result;
    },
    return: async () => {
      pending = null;
      return rest.return(undefined);
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
