/** What a bulk change does to the records its filter matches. */
export enum BulkOperation {
  Update = 'update',
  Delete = 'delete',
}

/** What a commit does when the change would make some matching records invalid. */
export enum BulkInvalidPolicy {
  /** Write nothing while any record would be made invalid. */
  Refuse = 'refuse',
  /** Change the others and leave those records as they are. */
  Skip = 'skip',
}

/** Where a bulk preview stands: it is committed at most once. */
export enum BulkPreviewStatus {
  Ready = 'ready',
  /** Its job is writing it. */
  Committing = 'committing',
  Committed = 'committed',
  /** Its job failed or was cancelled; nothing of it was written. */
  Failed = 'failed',
}
