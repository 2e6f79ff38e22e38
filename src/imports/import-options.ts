/** What happens to the rows of a file that has invalid rows. */
export enum InvalidRowPolicy {
  /** Nothing is written while any row is invalid. */
  Abort = 'abort',
  /** The valid rows are written; the invalid ones are reported and left out. */
  Skip = 'skip',
}

/** Where a preview stands: it is committed at most once. */
export enum ImportPreviewStatus {
  /** Made by a preview request; waiting for a commit. */
  Ready = 'ready',
  /** A job is applying it (or, for uploads and directory imports, checking and applying it). */
  Committing = 'committing',
  Committed = 'committed',
  /** Its job failed or was cancelled; nothing of it was written. */
  Failed = 'failed',
}
