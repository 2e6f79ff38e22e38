import { INVALID_CHARACTER_CODE, storableText, unstorableReason } from '../../common/validation/storable-text';
import { CellValue, SourceRecord } from '../import.types';

/**
 * The input policy of the service (common/validation/storable-text) applied to import files: a
 * cell that PostgreSQL cannot store (U+0000) or that is not Unicode (a lone surrogate) makes its
 * row invalid, and the rest of the file goes on. Every string in it is made storable, so that the
 * issue, and anything else made from the record, can be kept.
 */

/** Why the cell (nested JSON values and their keys included) cannot be stored, or undefined when it can; the readers bound the depth. */
export function unstorableCellReason(cell: unknown): string | undefined {
  if (typeof cell === 'string') return unstorableReason(cell);
  if (cell === null || typeof cell !== 'object' || cell instanceof Date) return undefined;
  if (Array.isArray(cell)) {
    for (const item of cell) {
      const reason = unstorableCellReason(item);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
  for (const [key, value] of Object.entries(cell)) {
    const reason = unstorableReason(key) ?? unstorableCellReason(value);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** The cell with every string in it, keys included, made storable. */
export function storableCell(cell: unknown): CellValue {
  if (typeof cell === 'string') return storableText(cell);
  if (cell === null || typeof cell !== 'object' || cell instanceof Date) return cell as CellValue;
  if (Array.isArray(cell)) return cell.map(storableCell);
  // A plain copy is safe: the JSON readers already refused the keys that reach a prototype.
  return Object.fromEntries(Object.entries(cell).map(([key, value]) => [storableText(key), storableCell(value)]));
}

/**
 * The record as the import may keep it. A record with a cell that cannot be stored becomes an
 * `invalid_character` error on the first such cell, with every cell made storable; any other
 * record is returned as it is, without a copy.
 */
export function withStorableCells(record: SourceRecord, headers: readonly string[]): SourceRecord {
  if (record.parseError !== undefined) return record;
  for (let column = 0; column < record.cells.length; column++) {
    const reason = unstorableCellReason(record.cells[column]);
    if (reason === undefined) continue;
    const header = storableText(headers[column] ?? `column ${column + 1}`);
    return {
      row: record.row,
      cells: record.cells.map(storableCell),
      parseError: { code: INVALID_CHARACTER_CODE, column, message: invalidCharacterMessage(`The value in column "${header}"`, reason) },
    };
  }
  return record;
}

/** `subject` names the cell or header, already made storable; `reason` is unstorableReason's. */
export function invalidCharacterMessage(subject: string, reason: string): string {
  return `${subject} ${reason}; it is shown with U+FFFD in its place. Remove it from the file`;
}
