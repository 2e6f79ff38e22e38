import { ExportColumn } from './export-columns';
import { ExportFilters } from './export-filters';
import { entityTitle } from './export-formats';
import { ExportLayout } from './export-writer';
import { ExportEntity, ExportFormat, ExportLanguage } from './export.enums';

/** One export as the service runs it, whether streamed at once or written by a job. */
export interface ExportRequest {
  entity: ExportEntity;
  format: ExportFormat;
  filters: ExportFilters;
  fields?: string[];
  language: ExportLanguage;
  byteOrderMark: boolean;
}

/** What an export job keeps in its parameters: the request, with the fields resolved. */
export interface ExportJobParameters extends ExportRequest {
  fields: string[];
}

/** What a finished export job keeps in `result.data`. */
export type ExportJobOutput = {
  entity: ExportEntity;
  format: ExportFormat;
  fileName: string;
  contentType: string;
  rowCount: number;
  sizeBytes: number;
  sha256: string;
};

export function exportLayoutOf(request: ExportRequest, columns: readonly ExportColumn[]): ExportLayout {
  return {
    format: request.format,
    columns,
    language: request.language,
    byteOrderMark: request.byteOrderMark,
    sheetName: entityTitle(request.entity, request.language),
  };
}

/** The filters that are set: a DTO instance carries its unset optional properties as `undefined`. */
export function definedOnly(filters: ExportFilters): ExportFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
}
