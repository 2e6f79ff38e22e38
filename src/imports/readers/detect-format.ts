import { extname } from 'node:path';
import { ImportFormat } from '../import.types';
import { ImportFileError } from './import-file.error';
import { detectUtf16ByZeroBytes, encodingFromBom } from './detect-encoding';

type ContentKind = 'zip' | 'legacy-excel' | 'binary' | 'text';

const EXTENSION_FORMATS: Readonly<Record<string, ImportFormat>> = {
  '.csv': ImportFormat.Csv,
  '.tsv': ImportFormat.Csv,
  '.txt': ImportFormat.Csv,
  '.json': ImportFormat.Json,
  '.ndjson': ImportFormat.Ndjson,
  '.jsonl': ImportFormat.Ndjson,
  '.xlsx': ImportFormat.Xlsx,
};

const SUPPORTED_FORMATS_HINT = 'Upload a .csv, .json, .ndjson or .xlsx file.';
const LEGACY_EXCEL_HINT = 'Legacy Excel .xls files are not supported: save the sheet as .xlsx or .csv and upload that.';

/**
 * The format to read the file as: the requested one or the extension's, checked against what the
 * first bytes show, because the name and the requested format are what the user claims while the
 * content is what the readers will face.
 */
export function detectFormat(fileName: string, head: Buffer, requested?: ImportFormat): ImportFormat {
  if (head.length === 0) throw new ImportFileError('empty_file', 'The file is empty.');
  const content = sniffContent(head);
  if (content === 'legacy-excel') throw new ImportFileError('unsupported_format', LEGACY_EXCEL_HINT, 415);
  if (content === 'binary') throw new ImportFileError('unsupported_format', `The file is not text or an XLSX workbook. ${SUPPORTED_FORMATS_HINT}`, 415);
  const extension = extname(fileName).toLowerCase();
  const declared = requested ?? EXTENSION_FORMATS[extension];
  if (declared === undefined) {
    const hint = extension === '.xls' ? LEGACY_EXCEL_HINT : SUPPORTED_FORMATS_HINT;
    throw new ImportFileError('unsupported_format', `Unsupported file type "${extension || fileName}". ${hint}`, 415);
  }
  const contentIsZip = content === 'zip';
  if (contentIsZip !== (declared === ImportFormat.Xlsx)) {
    const found = contentIsZip ? 'a zip archive (such as an XLSX workbook)' : 'text';
    throw new ImportFileError('format_mismatch', `The file is declared as ${declared} but its content is ${found}.`, 415);
  }
  return declared;
}

/** What the first bytes show, independent of the file name. */
export function sniffContent(head: Buffer): ContentKind {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'legacy-excel';
  if (encodingFromBom(head) !== null || detectUtf16ByZeroBytes(head) !== null) return 'text';
  // Text in any supported 8-bit encoding never contains a zero byte; images, PDFs and archives do.
  return head.includes(0) ? 'binary' : 'text';
}

function startsWith(head: Buffer, signature: readonly number[]): boolean {
  return head.length >= signature.length && signature.every((byte, index) => head[index] === byte);
}
