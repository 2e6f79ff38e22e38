import { ImportEntity, IssueSeverity, RowIssue } from '../import.types';
import { INVALID_CHARACTER_CODE, storableText, unstorableReason } from '../../common/validation/storable-text';
import { invalidCharacterMessage } from '../readers/text-policy';
import { importFields, isExportOnlyHeader, naturalKeyFields, normalizeHeader } from './import-fields';
import { ImportMode } from './import-mode';

export interface MappedColumn {
  index: number;
  header: string;
  /** Null for a column that is ignored: unknown, unnamed, or a second column for one field. */
  field: string | null;
}

export interface ColumnMapping {
  columns: MappedColumn[];
  /** Field name → index of the column that gives it. */
  fieldColumns: ReadonlyMap<string, number>;
}

/** Normalised alias → field name, per entity. Two fields sharing an alias would make a header ambiguous, so that fails at load. */
function aliasIndex(entity: ImportEntity): ReadonlyMap<string, string> {
  const index = new Map<string, string>();
  for (const { name, aliases } of importFields(entity)) {
    for (const alias of [name, ...aliases]) {
      const key = normalizeHeader(alias);
      const owner = index.get(key);
      if (owner !== undefined && owner !== name) throw new Error(`Import alias "${alias}" names both ${owner} and ${name} of ${entity}`);
      index.set(key, name);
    }
  }
  return index;
}

const ALIAS_INDEXES: Readonly<Record<ImportEntity, ReadonlyMap<string, string>>> = {
  [ImportEntity.Students]: aliasIndex(ImportEntity.Students),
  [ImportEntity.Courses]: aliasIndex(ImportEntity.Courses),
  [ImportEntity.Enrollments]: aliasIndex(ImportEntity.Enrollments),
};

/** An update only finds records, so it needs only their key; a create needs every required field. */
function requiredFields(entity: ImportEntity, mode: ImportMode): readonly string[] {
  if (mode === ImportMode.Update) return naturalKeyFields(entity);
  return importFields(entity)
    .filter((field) => field.requiredOnCreate)
    .map((field) => field.name);
}

const headerIssue = (severity: IssueSeverity, code: string, column: string | null, field: string | null, message: string): RowIssue => ({
  row: 0,
  column,
  field,
  severity,
  code,
  message,
  value: null,
});

/** Which column gives which field, and what is wrong with the header row (row 0). */
export function mapColumns(
  entity: ImportEntity,
  headers: readonly string[],
  mode: ImportMode,
): { mapping: ColumnMapping; issues: RowIssue[] } {
  const aliases = ALIAS_INDEXES[entity];
  const fieldNames = importFields(entity)
    .map((field) => field.name)
    .join(', ');
  const columns: MappedColumn[] = [];
  const fieldColumns = new Map<string, number>();
  const issues: RowIssue[] = [];

  headers.forEach((header, index) => {
    const unstorable = unstorableReason(header);
    if (unstorable !== undefined) {
      // Named as it can be stored, and ignored: it cannot be the header the user meant.
      const shown = storableText(header);
      issues.push(headerIssue(IssueSeverity.Error, INVALID_CHARACTER_CODE, shown, null, invalidCharacterMessage(`The header "${shown}"`, unstorable)));
      columns.push({ index, header: shown, field: null });
      return;
    }
    const normalized = normalizeHeader(header);
    const field = aliases.get(normalized) ?? null;
    const firstColumn = field === null ? undefined : fieldColumns.get(field);
    if (field === null) {
      const name = header.trim() === '' ? `Column ${index + 1} has no header` : `Column "${header}" matches no ${entity} field`;
      const message = `${name} and is ignored; to import it, head it with one of: ${fieldNames}`;
      // Our export's own columns (record number, timestamps) are ignored too, but that is expected, not news.
      if (!isExportOnlyHeader(entity, normalized)) issues.push(headerIssue(IssueSeverity.Warning, 'unknown_column', header, null, message));
    } else if (firstColumn !== undefined) {
      const message = `Columns "${headers[firstColumn]}" and "${header}" both give ${field}; remove or rename one of them`;
      issues.push(headerIssue(IssueSeverity.Error, 'duplicate_column', header, field, message));
    } else {
      fieldColumns.set(field, index);
    }
    columns.push({ index, header, field: firstColumn === undefined ? field : null });
  });

  for (const field of requiredFields(entity, mode)) {
    if (fieldColumns.has(field)) continue;
    const message = `The file has no column for ${field}, which ${mode} imports need; add a column headed ${field}`;
    issues.push(headerIssue(IssueSeverity.Error, 'missing_column', null, field, message));
  }
  return { mapping: { columns, fieldColumns }, issues };
}
