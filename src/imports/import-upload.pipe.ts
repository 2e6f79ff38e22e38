import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ProblemCode } from '../common/problem/problem-codes';
import { ProblemException } from '../common/problem/problem.exception';
import { findUnstorableText } from '../common/validation/storable-text';
import { createValidationPipe } from '../common/validation/validation.pipe';
import { ImportOptionsDto } from './dto/import-preview.dto';
import { ImportStorage, StoredFile } from './import-storage.service';
import { ImportUpload } from './import.types';

/** The form fields and the stored file of a multipart upload. */
interface ReceivedUpload {
  fields: Record<string, string>;
  file: (StoredFile & { fileName: string }) | null;
}

const MULTIPART_LIMIT_CODES: Record<string, { status: 400 | 413; code: ProblemCode; detail: string }> = {
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'file_too_large', detail: 'The file is larger than the import limit (IMPORT_MAX_FILE_MB).' },
  FST_FILES_LIMIT: { status: 400, code: 'too_many_files', detail: 'Send exactly one file per import.' },
  FST_PARTS_LIMIT: { status: 400, code: 'too_many_parts', detail: 'The form has too many parts.' },
  FST_FIELDS_LIMIT: { status: 400, code: 'too_many_fields', detail: 'The form has too many fields.' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 400, code: 'multipart_required', detail: 'Send the file as multipart/form-data.' },
};

function uploadProblem(status: 400 | 413 | 415 | 422, code: ProblemCode, title: string, detail: string): ProblemException {
  return new ProblemException({ status, code, title, detail });
}

/**
 * Streams the one file of a multipart request into storage (through `save`) and collects the
 * form fields. Fields sent before the file are read before it. A second file is refused, and a
 * file cut at the size limit answers 413 (`@fastify/multipart` may truncate without throwing).
 */
async function receiveUpload(request: FastifyRequest, save: (content: NodeJS.ReadableStream) => Promise<StoredFile>): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw uploadProblem(415, 'multipart_required', 'Unsupported Media Type', 'Send the file and its options as multipart/form-data.');
  }
  const fields: Record<string, string> = {};
  let file: ReceivedUpload['file'] = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (Object.prototype.hasOwnProperty.call(fields, part.fieldname)) {
          throw uploadProblem(400, 'duplicate_field', 'Bad Request', `The form field ${part.fieldname} is given twice.`);
        }
        const value = String(part.value);
        const unstorable = findUnstorableText({ [part.fieldname]: value });
        if (unstorable.length > 0) throw ProblemException.validation(unstorable);
        fields[part.fieldname] = value;
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw uploadProblem(400, 'unexpected_file', 'Bad Request', `The file must be sent in the form field "file", not "${part.fieldname}".`);
      }
      if (file !== null) {
        part.file.resume();
        throw uploadProblem(400, 'too_many_files', 'Bad Request', 'Send exactly one file per import.');
      }
      const stored = await save(part.file);
      if (part.file.truncated) throw uploadProblem(413, 'file_too_large', 'Payload Too Large', MULTIPART_LIMIT_CODES.FST_REQ_FILE_TOO_LARGE.detail);
      file = { ...stored, fileName: part.filename === '' ? 'upload' : part.filename };
    }
  } catch (error) {
    const known = typeof error === 'object' && error !== null && 'code' in error ? MULTIPART_LIMIT_CODES[String(error.code)] : undefined;
    if (known !== undefined) throw uploadProblem(known.status, known.code, known.status === 413 ? 'Payload Too Large' : 'Bad Request', known.detail);
    throw error;
  }
  return { fields, file };
}

/**
 * Receives an import upload at the edge of the API: the file streamed into storage under a new
 * preview id, and the form fields checked as import options. A request refused here leaves no
 * stored file; past it, the service owns the file.
 */
@Injectable()
export class ImportUploadPipe implements PipeTransform<FastifyRequest, Promise<ImportUpload>> {
  private readonly validation = createValidationPipe();

  constructor(private readonly storage: ImportStorage) {}

  async transform(request: FastifyRequest): Promise<ImportUpload> {
    const previewId = randomUUID();
    let saved = false;
    try {
      const upload = await receiveUpload(request, (content) => {
        saved = true;
        return this.storage.save(previewId, content as Readable);
      });
      if (upload.file === null) {
        throw ProblemException.validation([{ field: 'file', code: 'file_required', message: 'Send the file to import in the form field "file".' }], 422);
      }
      const options = (await this.validation.transform(upload.fields, { type: 'body', metatype: ImportOptionsDto })) as ImportOptionsDto;
      return { options, file: { previewId, ...upload.file } };
    } catch (error) {
      if (saved) await this.storage.remove(previewId);
      throw error;
    }
  }
}

const RawRequest = createParamDecorator((_data: unknown, context: ExecutionContext): FastifyRequest => context.switchToHttp().getRequest<FastifyRequest>());

/** The multipart upload of an import route, received and stored (see ImportUploadPipe). */
export const UploadedImport = (): ParameterDecorator => RawRequest(ImportUploadPipe);
