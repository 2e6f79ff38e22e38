import { csvLine, CsvValue } from '../common/csv';
import { CellValue } from './import.types';
import { openSource } from './readers/open-source';

export interface RejectedRowReason {
  row: number;
  reason: string;
}

/** Reads reasons in row order, a page at a time, after the given row. */
export type ReasonPage = (afterRow: number) => Promise<RejectedRowReason[]>;

const asCsvValue = (cell: CellValue): CsvValue => (cell instanceof Date ? cell.toISOString().slice(0, 10) : cell);

/**
 * The rows of a stored file that an import leaves out, as they were in the file, with a `reason`
 * column: a merge of the file (in row order) with the reasons (in row order), so neither is held
 * in memory.
 */
export async function* rejectedRowsCsv(path: string, fileName: string, sheet: string | null, reasons: ReasonPage): AsyncGenerator<string> {
  const opened = await openSource(path, { fileName, sheet: sheet ?? undefined });
  let page = await reasons(0);
  let index = 0;
  let headerWritten = false;
  for await (const batch of opened.batches) {
    if (!headerWritten) {
      yield `\uFEFF${csvLine([...batch.headers, 'reason'])}`;
      headerWritten = true;
    }
    let text = '';
    for (const record of batch.records) {
      while (index < page.length && page[index].row < record.row) index += 1;
      if (index === page.length && page.length > 0) {
        page = await reasons(page[page.length - 1].row);
        index = 0;
        while (index < page.length && page[index].row < record.row) index += 1;
      }
      if (index < page.length && page[index].row === record.row) {
        const cells = Array.from({ length: batch.headers.length }, (_, position) => asCsvValue(record.cells[position]));
        text += csvLine([...cells, page[index].reason]);
      }
    }
    if (text !== '') yield text;
    if (page.length === 0) return;
  }
}
