const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

const SAMPLE_RECORDS = 50;

/**
 * The delimiter whose count per record (outside quotes) is the most consistent over the first
 * records, so a `;` file with decimal commas in some cells still comes out as `;`. Ties go to the
 * order of CSV_DELIMITERS; a single-column file gets `,`.
 */
export function detectDelimiter(sampleText: string): CsvDelimiter {
  const counts = countDelimitersPerRecord(sampleText);
  let best: { delimiter: CsvDelimiter; consistency: number; perRecord: number } | null = null;
  for (const delimiter of CSV_DELIMITERS) {
    const perRecordCounts = counts.map((recordCounts) => recordCounts[delimiter]);
    const perRecord = mostFrequent(perRecordCounts);
    if (perRecord === 0) continue;
    const consistency = perRecordCounts.filter((count) => count === perRecord).length / perRecordCounts.length;
    if (!best || consistency > best.consistency || (consistency === best.consistency && perRecord > best.perRecord)) {
      best = { delimiter, consistency, perRecord };
    }
  }
  return best?.delimiter ?? ',';
}

/** Delimiter counts of each non-blank record, quote-aware; a last record cut by the sample end is left out. */
function countDelimitersPerRecord(text: string): Record<CsvDelimiter, number>[] {
  const records: Record<CsvDelimiter, number>[] = [];
  let current = emptyCounts();
  let inQuotes = false;
  let hasContent = false;
  for (let index = 0; index < text.length && records.length < SAMPLE_RECORDS; index++) {
    const character = text[index];
    if (character === '"') {
      inQuotes = !inQuotes;
    } else if (!inQuotes && (character === '\n' || character === '\r')) {
      if (hasContent) records.push(current);
      current = emptyCounts();
      hasContent = false;
      continue;
    } else if (!inQuotes && (character === ',' || character === ';' || character === '\t')) {
      current[character]++;
    }
    hasContent = true;
  }
  if (hasContent && records.length === 0) records.push(current);
  return records;
}

function emptyCounts(): Record<CsvDelimiter, number> {
  return { ',': 0, ';': 0, '\t': 0 };
}

function mostFrequent(values: number[]): number {
  const frequencies = new Map<number, number>();
  let best = 0;
  let bestFrequency = 0;
  for (const value of values) {
    const frequency = (frequencies.get(value) ?? 0) + 1;
    frequencies.set(value, frequency);
    if (frequency > bestFrequency || (frequency === bestFrequency && value > best)) {
      best = value;
      bestFrequency = frequency;
    }
  }
  return best;
}
