import { ExportColumn } from './export-columns';
import { ExportFilters } from './export-filters';
import type { ExportJobParameters } from './dto/export-job.dto';
import { entityTitle } from './export-formats';
import { ExportLayout } from './export-writer';

/** One export as the service runs it, whether streamed at once or written by a job (which resolves `fields` first). */
export type ExportRequest = Omit<ExportJobParameters, 'fields'> & { fields?: string[] };

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
