import type { ImportOptionsDto } from './dto/import-preview.dto';
import type { StoredFile } from './import-storage.service';

/** What an import writes. */
export enum ImportEntity {
  Students = 'students',
  Courses = 'courses',
  Enrollments = 'enrollments',
}

export enum ImportFormat {
  Csv = 'csv',
  Json = 'json',
  Ndjson = 'ndjson',
  Xlsx = 'xlsx',
}

/** How a written record ended up, as the API names it. */
export enum ImportRecordOutcome {
  Created = 'created',
  Updated = 'updated',
  Restored = 'restored',
  /** Soft-deleted by a bulk_delete job; an undo brings it back. */
  Deleted = 'deleted',
}

/** Whether a commit needs `confirmMassChange`, with the numbers that decide it. */
export interface MassChange {
  /** Records of the entity, deleted ones included, when the plan was made. */
  existing: number;
  /** Records the import updates or restores. */
  changed: number;
  /** changed as a percentage of existing, one decimal. */
  percent: number;
  thresholdPercent: number;
  /** Active students the import makes inactive. */
  deactivated: number;
  confirmationNeeded: boolean;
}

export enum IssueSeverity {
  Error = 'error',
  Warning = 'warning',
}

/**
 * One value as a reader found it: CSV gives strings, XLSX gives strings, numbers, booleans and
 * dates (a Date at UTC midnight for a date cell), JSON gives any JSON value.
 */
export type CellValue = string | number | boolean | Date | null | undefined | readonly unknown[] | { readonly [key: string]: unknown };

/** One record of the source: `row` is the source line (CSV, NDJSON), sheet row (XLSX) or 1-based record number (JSON). */
export interface SourceRecord {
  row: number;
  /** Positional, aligned with the headers of the batch that carries it; shorter when trailing cells are missing. */
  cells: CellValue[];
  /**
   * A problem the reader found in this record (e.g. `too_many_cells`, `unclosed_quote`,
   * `invalid_json`, `not_an_object`, `invalid_character`); `column` is the index of the cell it is in.
   */
  parseError?: { code: string; message: string; column?: number };
}

/** A batch of records and the headers they are aligned with (JSON headers grow as new keys appear). */
export interface SourceBatch {
  headers: readonly string[];
  records: SourceRecord[];
  /**
   * Every cell of these records is a string that PostgreSQL can store and that COPY text needs
   * no escape for (no NUL, surrogate, backslash, tab or line break): the reader vouched for it
   * by scanning the whole text once, so the cells need no check of their own.
   */
  plainText?: boolean;
}

/** A problem found in one row (or, with row 0 for the header or file level). */
export interface RowIssue {
  row: number;
  column: string | null;
  field: string | null;
  severity: IssueSeverity;
  code: string;
  message: string;
  value: string | null;
}

/** A file received for import, stored under the id its preview will have, with the options sent along. */
export interface ImportUpload {
  options: ImportOptionsDto;
  file: StoredFile & { previewId: string; fileName: string };
}
