export interface ReaderLimits {
  /** Longest record (CSV record, NDJSON line, JSON array element), in decoded characters. */
  maxRecordBytes: number;
  /** Deepest nesting of JSON arrays and objects, the top-level array counting as 1. */
  maxJsonDepth: number;
  /** Sum of the uncompressed sizes of every XLSX archive entry, in bytes. */
  maxXlsxUncompressedBytes: number;
  /** Highest uncompressed/compressed ratio of one XLSX archive entry. */
  maxXlsxCompressionRatio: number;
  /** Widest header row, in columns. */
  maxColumns: number;
}

export const DEFAULT_READER_LIMITS: ReaderLimits = {
  // A student, course or enrollment row is well under 1 KiB; 1 MiB leaves room for a large
  // evaluationRules value while bounding what one record can hold in memory.
  maxRecordBytes: 1024 * 1024,
  // The deepest legitimate value (array > record > evaluationRules > rule > nested list) is about
  // 5 levels; 16 is generous and still far from any stack limit.
  maxJsonDepth: 16,
  // About 4 million rows of 12 columns of sheet XML; the XLSX reader streams sheets but keeps the
  // shared strings (as compact UTF-8), so this also bounds that table.
  maxXlsxUncompressedBytes: 2 * 1024 * 1024 * 1024,
  // Sheet XML compresses 5–20×, blank formatted rows up to ~100×; deflate tops out near 1032×, so
  // 200 lets real files through and stops the highly compressed entries a zip bomb relies on.
  maxXlsxCompressionRatio: 200,
  // An import has about 15 fields; room for a registration sheet's extra columns, while a header
  // of 100 000 columns is refused rather than answered with 100 000 unknown_column warnings.
  maxColumns: 1000,
};

export function resolveReaderLimits(overrides: Partial<ReaderLimits> | undefined): ReaderLimits {
  return { ...DEFAULT_READER_LIMITS, ...overrides };
}
