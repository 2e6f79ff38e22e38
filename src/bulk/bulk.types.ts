import type { ImportEntity } from '../imports/import.types';
import type { BulkChangeSet } from './bulk-change';
import type { BulkInvalidPolicy, BulkOperation } from './bulk.enums';

/** The parameters of a `bulk_update` or `bulk_delete` job: the preview it commits, and how. */
export interface BulkJobParameters {
  previewId: string;
  entity: ImportEntity;
  operation: BulkOperation;
  /** The filter and change set of the preview, for whoever reads the job; the handler works from the preview. */
  filter: Record<string, unknown>;
  change: BulkChangeSet;
  onInvalid: BulkInvalidPolicy;
  confirmMassChange: boolean;
  /** Who committed it and the request's id, for the audit row the job writes when it ends. */
  requestedBy: { id: string; email: string };
  requestId: string | null;
}

/** The `result.data` of a bulk job that completed. */
export interface BulkJobOutput {
  previewId: string;
  entity: ImportEntity;
  /** What it wrote: `GET /imports/jobs/{jobId}/records` (undone with `POST /imports/jobs/{jobId}/undo`). */
  recordsUrl: string;
  undoUrl: string;
}
