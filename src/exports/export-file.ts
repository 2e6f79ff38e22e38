import { StreamableFile } from '@nestjs/common';
import type { StreamableFileOptions } from '@nestjs/common/file-stream/interfaces';
import type { Readable } from 'node:stream';

/** A streamed export with the facts its audit row records (row count, and the sha256 of a job's file). */
export class ExportFile extends StreamableFile {
  constructor(
    stream: Readable,
    options: StreamableFileOptions,
    readonly auditDetails: Record<string, unknown>,
  ) {
    super(stream, options);
  }
}
