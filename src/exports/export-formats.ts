import { ExportColumn } from './export-columns';
import { ExportEntity, ExportFormat, ExportLanguage } from './export.enums';

/** One row as PostgreSQL sends it: the selected columns in order, every value as text (see EXPORT_SOURCES). */
export type RawRow = (string | null)[];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  [ExportFormat.Csv]: 'text/csv; charset=utf-8',
  [ExportFormat.Xlsx]: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  [ExportFormat.Json]: 'application/json; charset=utf-8',
  [ExportFormat.Ndjson]: 'application/x-ndjson; charset=utf-8',
};

const ENTITY_TITLES: Record<ExportEntity, Record<ExportLanguage, string>> = {
  [ExportEntity.Students]: { en: 'Students', el: 'Μαθητές' },
  [ExportEntity.Courses]: { en: 'Courses', el: 'Μαθήματα' },
  [ExportEntity.Enrollments]: { en: 'Enrollments', el: 'Εγγραφές' },
};

/** `Students` / `Μαθητές`: the XLSX sheet's name. */
export function entityTitle(entity: ExportEntity, language: ExportLanguage): string {
  return ENTITY_TITLES[entity][language];
}

/** `students-20261130T101500Z.csv`, or `μαθητές-….csv` in Greek. */
export function exportFileName(entity: ExportEntity, format: ExportFormat, language: ExportLanguage, at: Date): string {
  const stamp = `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
  return `${entityTitle(entity, language).toLocaleLowerCase(language)}-${stamp}.${format}`;
}

/**
 * The language an `Accept-Language` header prefers among those the labels exist in: the highest
 * quality wins, the earlier entry on a tie; English when it names neither.
 */
export function languageFromAcceptLanguage(header: string | undefined): ExportLanguage {
  let best: { language: ExportLanguage; quality: number } | undefined;
  for (const entry of (header ?? '').split(',')) {
    const [tag, ...parameters] = entry.trim().toLowerCase().split(';');
    const language = Object.values(ExportLanguage).find((candidate) => String(candidate) === tag.split('-')[0]);
    if (language === undefined) continue;
    const qualityParameter = parameters.map((parameter) => parameter.trim()).find((parameter) => parameter.startsWith('q='));
    const quality = qualityParameter === undefined ? 1 : Number(qualityParameter.slice(2));
    if (!Number.isFinite(quality) || quality <= 0) continue;
    if (best === undefined || quality > best.quality) best = { language, quality };
  }
  return best?.language ?? ExportLanguage.English;
}

export function headerLabels(columns: readonly ExportColumn[], language: ExportLanguage): string[] {
  return columns.map((column) => column.label[language]);
}

/** PostgreSQL's text form of a boolean is `t` / `f`; the value labels are keyed by the API's values. */
export function apiText(column: ExportColumn, value: string): string {
  if (column.kind !== 'boolean') return value;
  if (value === 't') return 'true';
  return value === 'f' ? 'false' : value;
}

/** A value's label in the language (`t` → Active), else the value itself. */
export function labelOf(column: ExportColumn, value: string, language: ExportLanguage): string {
  const text = apiText(column, value);
  return column.valueLabels?.[text]?.[language] ?? text;
}

/** Excel number formats of the cells that hold dates. */
export const XLSX_DATE_FORMATS: Partial<Record<ExportColumn['kind'], string>> = {
  date: 'yyyy-mm-dd',
  timestamp: 'yyyy-mm-dd hh:mm:ss',
};
