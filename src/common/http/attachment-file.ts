import { StreamableFile } from '@nestjs/common';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ProblemException } from '../problem/problem.exception';
import { attachmentDisposition } from './content-disposition';

/** What the client is told of a download: its name (any script) and type, and its size when known. */
export interface Attachment {
  fileName: string;
  contentType: string;
  length?: number;
}

/**
 * A streamed download with the facts its audit row records (a row count, a file's sha256). The
 * service names the file; the headers (an RFC 5987 `Content-Disposition`) are made here.
 */
export class AttachmentFile extends StreamableFile {
  constructor(
    stream: Readable,
    attachment: Attachment,
    readonly auditDetails: Record<string, unknown>,
  ) {
    super(stream, { type: attachment.contentType, disposition: attachmentDisposition(attachment.fileName), length: attachment.length });
  }

  /**
   * A stored file, opened before the status line goes out: a file that is not there answers
   * `missing` (a 404 problem) instead of a response cut short.
   */
  static async fromPath(path: string, attachment: Attachment, auditDetails: Record<string, unknown>, missing: () => ProblemException): Promise<AttachmentFile> {
    const file = createReadStream(path);
    try {
      await once(file, 'open');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw missing();
    }
    return new AttachmentFile(file, attachment, auditDetails);
  }
}
