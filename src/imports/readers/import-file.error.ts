/**
 * A problem with the uploaded file as a whole: the import cannot go on, and the caller answers
 * with `status` and the stable `code`. Row-level problems are never thrown; they travel as
 * `parseError` on the record.
 */
export class ImportFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 413 | 415 | 422 = 422,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImportFileError';
  }
}
