import { ImportFileError } from './import-file.error';

/** Bytes read from the start of a file to detect its format, encoding and delimiter. */
export const HEAD_SAMPLE_BYTES = 64 * 1024;

const UTF32_LE_BOM = [0xff, 0xfe, 0x00, 0x00];
const UTF32_BE_BOM = [0x00, 0x00, 0xfe, 0xff];

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1253' | 'iso-8859-7';

/**
 * The encoding of a text file from its first bytes, by a byte rule that tells the Greek code pages
 * apart where statistical detectors (chardet, jschardet) cannot: BOM, then UTF-16 by its zero
 * bytes, then strict UTF-8, then Windows-1253 by the bytes ISO-8859-7 leaves unused.
 */
export function detectEncoding(head: Buffer): TextEncodingName {
  const fromBom = encodingFromBom(head);
  if (fromBom) return fromBom;
  // Before UTF-8: ASCII text in UTF-16 is also valid UTF-8 (a zero byte is a valid character).
  const utf16 = detectUtf16ByZeroBytes(head);
  if (utf16) return utf16;
  if (isStrictUtf8(withoutIncompleteUtf8Tail(head))) return 'utf-8';
  // 0x80–0x9F are control codes in ISO-8859-7 but letters and punctuation in Windows-1253, and
  // 0xA2 is Ά in Windows-1253 but a rarely used apostrophe in ISO-8859-7 (where Ά is 0xB6).
  return head.some((byte) => (byte >= 0x80 && byte <= 0x9f) || byte === 0xa2) ? 'windows-1253' : 'iso-8859-7';
}

/**
 * The encoding a byte-order mark declares, or null without one. A UTF-32 mark is refused here,
 * before its FF FE would pass for UTF-16 and every character come out with a NUL beside it.
 */
export function encodingFromBom(head: Buffer): TextEncodingName | null {
  if (startsWithBytes(head, UTF32_LE_BOM) || startsWithBytes(head, UTF32_BE_BOM)) {
    throw new ImportFileError('unsupported_encoding', 'The file is UTF-32 text, which is not supported: save it as UTF-8 (or UTF-16) and upload that.', 415);
  }
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * UTF-16 text without a BOM: Latin characters, digits and separators have a zero high byte, so
 * zeros pile up at odd offsets (little-endian) or even offsets (big-endian) and almost never at
 * the other. Binary data has zeros at both.
 */
export function detectUtf16ByZeroBytes(head: Buffer): 'utf-16le' | 'utf-16be' | null {
  const pairs = Math.floor(head.length / 2);
  if (pairs === 0) return null;
  let zerosAtEven = 0;
  let zerosAtOdd = 0;
  for (let index = 0; index + 1 < head.length; index += 2) {
    if (head[index] === 0) zerosAtEven++;
    if (head[index + 1] === 0) zerosAtOdd++;
  }
  const enough = Math.max(1, pairs * 0.1);
  if (zerosAtOdd >= enough && zerosAtEven * 10 <= zerosAtOdd) return 'utf-16le';
  if (zerosAtEven >= enough && zerosAtOdd * 10 <= zerosAtEven) return 'utf-16be';
  return null;
}

function isStrictUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    // A TypeError from a fatal decoder means exactly "not UTF-8", which is the answer sought.
    return false;
  }
}

/** The sample ends at an arbitrary byte: drop a multi-byte character cut in half there. */
export function withoutIncompleteUtf8Tail(bytes: Buffer): Buffer {
  const earliest = Math.max(0, bytes.length - 3);
  for (let index = bytes.length - 1; index >= earliest; index--) {
    const byte = bytes[index];
    if ((byte & 0xc0) === 0x80) continue;
    const expectedLength = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return bytes.length - index < expectedLength ? bytes.subarray(0, index) : bytes;
  }
  return bytes;
}

function startsWithBytes(head: Buffer, prefix: readonly number[]): boolean {
  return head.length >= prefix.length && prefix.every((byte, index) => head[index] === byte);
}
