import { ProblemCode } from '../../common/problem/problem-codes';
import { storableText } from '../../common/validation/storable-text';

/**
 * A problem with the uploaded file as a whole: the import cannot go on, and the caller answers
 * with `status` and the stable `code`. Row-level problems are never thrown; they travel as
 * `parseError` on the record. The message is the answer's detail: always our own words (an
 * exception it stems from goes in `cause`, for the log), made storable because it may quote names
 * from the file.
 */
export class ImportFileError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly status: 413 | 415 | 422 = 422,
    options?: { cause?: unknown },
  ) {
    super(storableText(message), options);
    this.name = 'ImportFileError';
  }
}
