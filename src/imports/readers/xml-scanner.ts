/**
 * A small streaming XML scanner for the parts of an XLSX archive, working on the UTF-8 bytes as
 * they come out of inflation. It knows only what those parts use: elements, attributes, text, the
 * five named entities and character references; comments, processing instructions and CDATA are
 * accepted. A DOCTYPE is refused, so no entity can expand. It checks what a reader needs to trust
 * its output (tags nest and close, characters are XML characters, references are valid) and no
 * more. Nothing is decoded to a string unless a handler asks: a handler is given byte ranges, so
 * that a sheet's millions of tags, attributes and numbers cost no string each.
 */

export class XmlError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'XmlError';
  }
}

export interface XmlHandler {
  /** `name` is the local name (any prefix dropped); the tag's attributes are `source`[attributesStart, attributesEnd), for the attribute readers below. */
  open(name: string, source: Buffer, attributesStart: number, attributesEnd: number, selfClosing: boolean): void;
  close(name: string): void;
  /**
   * Text inside the root element as raw XML: `source`[start, end), its references checked but not
   * resolved (`referenced` says whether it holds any). One text node may arrive in several calls,
   * cut anywhere but inside a reference; CDATA arrives escaped, as the text it stands for.
   */
  text(source: Buffer, start: number, end: number, referenced: boolean): void;
}

/** How much of a new chunk is joined to the token the last one cut: more than a cell's markup. */
const BRIDGE_BYTES = 4096;
/** A tag or other markup longer than this is not in any workbook: refused rather than buffered. */
const MAX_MARKUP_LENGTH = 16 * 1024 * 1024;
const MAX_KNOWN_NAMES = 32;
const NAME_HINT_SLOTS = 32 * 256;
/** "#x10FFFF" is the longest reference XML allows. */
const MAX_REFERENCE_LENGTH = 10;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const EXCLAMATION_MARK = 0x21;
const DOUBLE_QUOTE = 0x22;
const AMPERSAND = 0x26;
const SINGLE_QUOTE = 0x27;
const SLASH = 0x2f;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const LESS_THAN = 0x3c;
const EQUALS = 0x3d;
const GREATER_THAN = 0x3e;
const QUESTION_MARK = 0x3f;
/** First byte of U+FFFE and U+FFFF in UTF-8 (EF BF BE, EF BF BF), which XML forbids. */
const NONCHARACTER_LEAD = 0xef;
const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);
const COMMENT_START = Buffer.from('<!--');
const CDATA_START = Buffer.from('<![CDATA[');
/** What a scan loop answers when the bytes it needs have not all arrived. */
const INCOMPLETE = -1;

export class XmlScanner {
  /** The start of markup, or of a reference, cut by the end of the last chunk. */
  private pending: Buffer | null = null;
  /** Indexes in `names` of the open elements, innermost last. */
  private readonly open: number[] = [];
  /** Qualified names of the elements seen so far, as bytes, with their local names: a part uses a few names millions of times, and a hit allocates nothing. */
  private readonly names: Buffer[] = [];
  private readonly localNames: string[] = [];
  /** (length, first byte) → index + 1 in `names` of the last name met with them: most tags find theirs in one comparison. */
  private readonly nameHints = new Uint8Array(NAME_HINT_SLOTS);
  private rootClosed = false;
  private started = false;

  constructor(private readonly handler: XmlHandler) {}

  write(chunk: Buffer): void {
    let source = chunk;
    if (this.pending !== null) {
      const pending = this.pending;
      this.pending = null;
      const resumeAt = this.bridge(pending, chunk);
      if (resumeAt === INCOMPLETE) source = Buffer.concat([pending, chunk]);
      else source = chunk.subarray(resumeAt);
    }
    if (!this.started) {
      if (source.length < BYTE_ORDER_MARK.length && BYTE_ORDER_MARK.subarray(0, source.length).equals(source)) {
        this.pending = source;
        return;
      }
      this.started = source.length > 0;
      if (source.subarray(0, BYTE_ORDER_MARK.length).equals(BYTE_ORDER_MARK)) source = source.subarray(BYTE_ORDER_MARK.length);
    }
    const consumed = this.scan(source, source.length);
    if (consumed < source.length) this.pending = source.subarray(consumed);
    if (this.pending !== null && this.pending.length > MAX_MARKUP_LENGTH) throw new XmlError('a tag is too long');
  }

  /**
   * Completes the token that the last chunk cut, from the start of `chunk`, without copying all of
   * `chunk` behind it: returns where in `chunk` scanning resumes, or INCOMPLETE when the token is
   * longer than the bridge (then the caller joins the two whole).
   */
  private bridge(pending: Buffer, chunk: Buffer): number {
    if (!this.started) return INCOMPLETE;
    const joined = Buffer.concat([pending, chunk.subarray(0, BRIDGE_BYTES)]);
    const consumed = this.scan(joined, pending.length);
    if (consumed < pending.length) {
      // Nothing was handled past the pending bytes: scanning them again with all of the chunk repeats nothing.
      return INCOMPLETE;
    }
    return consumed - pending.length;
  }

  end(): void {
    if (this.pending !== null && this.pending.length > 0) throw new XmlError('it ends inside a tag');
    if (this.open.length > 0) throw new XmlError(`it ends before </${this.names[this.open[this.open.length - 1]].toString('utf8')}>`);
    if (!this.rootClosed) throw new XmlError('it has no root element');
  }

  /** Handles the complete tokens of `source` that start before `limit`; returns where the rest starts. */
  private scan(source: Buffer, limit: number): number {
    let index = 0;
    while (index < limit) {
      if (source[index] === LESS_THAN) {
        const next = this.markup(source, index);
        if (next === INCOMPLETE) return index;
        index = next;
      } else {
        const next = this.characters(source, index);
        if (next === INCOMPLETE) return index;
        index = next;
      }
    }
    return index;
  }

  /**
   * The text from `start` up to the next '<' or the end of the chunk, checked byte by byte and
   * handed over; returns where it stopped. A reference or a noncharacter cut by the end of the
   * chunk is kept for the next one: the text before it is handed over now.
   */
  private characters(source: Buffer, start: number): number {
    const length = source.length;
    let referenced = false;
    let index = start;
    for (; index < length; index++) {
      const code = source[index];
      if (code > LESS_THAN) {
        // Letters, digits above '<' and UTF-8: only a noncharacter lead needs a look.
        if (code === NONCHARACTER_LEAD) {
          if (index + 2 >= length) break;
          checkNoncharacter(source, index);
        }
        continue;
      }
      if (code === LESS_THAN) break;
      if (code === AMPERSAND) {
        const end = referenceEnd(source, index);
        if (end === INCOMPLETE) break;
        referenced = true;
        index = end - 1;
      } else if (code < SPACE) {
        if (code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) throw forbiddenCharacter();
      }
    }
    if (index > start) this.emitText(source, start, index, referenced);
    return index === start ? INCOMPLETE : index;
  }

  private emitText(source: Buffer, start: number, end: number, referenced: boolean): void {
    if (this.open.length > 0) {
      this.handler.text(source, start, end, referenced);
      return;
    }
    for (let index = start; index < end; index++) {
      if (!isSpace(source[index])) throw new XmlError('it has text outside the root element');
    }
  }

  /** Handles the markup at `start`; returns the index after it, or INCOMPLETE when it has not all arrived. */
  private markup(source: Buffer, start: number): number {
    if (start + 1 >= source.length) return INCOMPLETE;
    const second = source[start + 1];
    if (second === SLASH) {
      const closed = this.closeExpected(source, start + 2);
      if (closed !== INCOMPLETE) return closed;
      let end = start + 2;
      while (end < source.length && source[end] !== GREATER_THAN) end++;
      if (end === source.length) return INCOMPLETE;
      this.closeElement(source, start + 2, end);
      return end + 1;
    }
    if (second === QUESTION_MARK) {
      const end = source.indexOf('?>', start + 2);
      if (end === -1) return INCOMPLETE;
      checkCharacters(source, start + 2, end);
      return end + 2;
    }
    if (second === EXCLAMATION_MARK) return this.declaration(source, start);
    const end = tagEnd(source, start + 1);
    if (end === INCOMPLETE) return INCOMPLETE;
    const selfClosing = source[end - 1] === SLASH;
    const bodyEnd = selfClosing ? end - 1 : end;
    let nameEnd = start + 1;
    while (nameEnd < bodyEnd && !isSpace(source[nameEnd])) nameEnd++;
    if (nameEnd === start + 1) throw new XmlError('a tag has no name');
    if (this.open.length === 0 && this.rootClosed) throw new XmlError('it has more than one root element');
    const known = this.knownName(source, start + 1, nameEnd);
    this.handler.open(this.localNames[known], source, nameEnd, bodyEnd, selfClosing);
    if (selfClosing) this.rootClosed ||= this.open.length === 0;
    else this.open.push(known);
    return end + 1;
  }

  /** The index in `names` of the name source[start, end), added when new. */
  private knownName(source: Buffer, start: number, end: number): number {
    const length = end - start;
    const slot = ((length & 31) << 8) | source[start];
    const hinted = this.nameHints[slot] - 1;
    if (hinted >= 0 && sameBytes(this.names[hinted], source, start, end)) return hinted;
    for (let index = 0; index < this.names.length; index++) {
      if (sameBytes(this.names[index], source, start, end)) {
        this.nameHints[slot] = index + 1;
        return index;
      }
    }
    if (this.names.length >= MAX_KNOWN_NAMES) {
      // A part with this many element names is not a workbook part; the last slot is reused so the list stays short.
      this.names.pop();
      this.localNames.pop();
      this.nameHints.fill(0);
    }
    const name = Buffer.from(source.subarray(start, end));
    const colon = name.lastIndexOf(COLON);
    this.names.push(name);
    this.localNames.push(name.toString('utf8', colon + 1));
    this.nameHints[slot] = this.names.length;
    return this.names.length - 1;
  }

  /** Comments and CDATA; a DOCTYPE could declare entities that expand without bound, so it is refused. */
  private declaration(source: Buffer, start: number): number {
    if (source.length - start < CDATA_START.length) return INCOMPLETE;
    if (startsWith(source, start, COMMENT_START)) {
      const end = source.indexOf('-->', start + COMMENT_START.length);
      if (end === -1) return INCOMPLETE;
      checkCharacters(source, start + COMMENT_START.length, end);
      return end + 3;
    }
    if (startsWith(source, start, CDATA_START)) {
      const contentStart = start + CDATA_START.length;
      const end = source.indexOf(']]>', contentStart);
      if (end === -1) return INCOMPLETE;
      if (this.open.length === 0) throw new XmlError('it has CDATA outside the root element');
      checkCharacters(source, contentStart, end);
      if (end > contentStart) {
        const escaped = escapedText(source, contentStart, end);
        this.handler.text(escaped, 0, escaped.length, escaped.length !== end - contentStart);
      }
      return end + 3;
    }
    throw new XmlError('it has a document type declaration');
  }

  /**
   * The common end tag, `</name>` of the innermost open element with no space before its '>',
   * handled in one comparison; returns the index after it, or INCOMPLETE for closeElement to see.
   */
  private closeExpected(source: Buffer, start: number): number {
    if (this.open.length === 0) return INCOMPLETE;
    const expected = this.open[this.open.length - 1];
    const end = start + this.names[expected].length;
    if (end >= source.length || source[end] !== GREATER_THAN || !sameBytes(this.names[expected], source, start, end)) return INCOMPLETE;
    this.open.pop();
    this.handler.close(this.localNames[expected]);
    if (this.open.length === 0) this.rootClosed = true;
    return end + 1;
  }

  /** The end tag whose name is source[start, end): compared in place, since an end tag needs no string of its own. */
  private closeElement(source: Buffer, start: number, end: number): void {
    const expected = this.open.pop();
    let nameEnd = end;
    while (nameEnd > start && isSpace(source[nameEnd - 1])) nameEnd--;
    if (expected === undefined || !sameBytes(this.names[expected], source, start, nameEnd)) {
      const name = source.toString('utf8', start, nameEnd);
      throw new XmlError(expected === undefined ? `</${name}> closes nothing` : `</${name}> closes <${this.names[expected].toString('utf8')}>`);
    }
    this.handler.close(this.localNames[expected]);
    if (this.open.length === 0) this.rootClosed = true;
  }
}

/** The index of the '>' ending the tag whose name starts at `from`, skipping quoted attribute values and checking every byte; INCOMPLETE when not there yet. */
function tagEnd(source: Buffer, from: number): number {
  const length = source.length;
  let quote = 0;
  for (let index = from; index < length; index++) {
    const code = source[index];
    // Letters and most other bytes first: one comparison for them.
    if (code > GREATER_THAN) {
      if (code === NONCHARACTER_LEAD) {
        if (index + 2 >= length) return INCOMPLETE;
        checkNoncharacter(source, index);
      }
    } else if (code < SPACE) {
      if (code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) throw forbiddenCharacter();
    } else if (quote !== 0) {
      if (code === quote) quote = 0;
    } else if (code === GREATER_THAN) {
      return index;
    } else if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      quote = code;
    } else if (code === LESS_THAN) {
      throw new XmlError('a tag holds a "<"');
    }
  }
  return INCOMPLETE;
}

/** Refuses the characters XML forbids in source[start, end) (all of it has arrived). */
function checkCharacters(source: Buffer, start: number, end: number): void {
  for (let index = start; index < end; index++) {
    const code = source[index];
    if (code < SPACE) {
      if (code !== TAB && code !== LINE_FEED && code !== CARRIAGE_RETURN) throw forbiddenCharacter();
    } else if (code === NONCHARACTER_LEAD && index + 2 < source.length) {
      checkNoncharacter(source, index);
    }
  }
}

/** Refuses U+FFFE and U+FFFF, whose UTF-8 starts at `index`. */
function checkNoncharacter(source: Buffer, index: number): void {
  if (source[index + 1] === 0xbf && (source[index + 2] === 0xbe || source[index + 2] === 0xbf)) throw forbiddenCharacter();
}

function forbiddenCharacter(): XmlError {
  return new XmlError('it holds a character XML does not allow');
}

/**
 * Where the reference starting with the '&' at `start` ends (after its ';'), once checked;
 * INCOMPLETE when the chunk ends before it could.
 */
function referenceEnd(source: Buffer, start: number): number {
  const limit = Math.min(source.length, start + MAX_REFERENCE_LENGTH + 2);
  for (let index = start + 1; index < limit; index++) {
    if (source[index] === SEMICOLON) {
      referencedText(source.toString('latin1', start + 1, index));
      return index + 1;
    }
  }
  if (limit === source.length && limit < start + MAX_REFERENCE_LENGTH + 2) return INCOMPLETE;
  throw new XmlError('an "&" starts no reference');
}

/** CDATA content as the XML text it stands for: its '&' and '<' escaped, so that a handler reads all text one way. */
function escapedText(source: Buffer, start: number, end: number): Buffer {
  const raw = source.subarray(start, end);
  if (!raw.includes(AMPERSAND) && !raw.includes(LESS_THAN)) return raw;
  // latin1 keeps each byte as one character, so the UTF-8 bytes survive the round trip.
  return Buffer.from(raw.toString('latin1').replace(/&/g, '&amp;').replace(/</g, '&lt;'), 'latin1');
}

function startsWith(source: Buffer, start: number, prefix: Buffer): boolean {
  return source.length - start >= prefix.length && source.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

/** Whether source[start, end) holds the bytes of `name`: a loop, cheaper than a native call for names this short. */
function sameBytes(name: Buffer, source: Buffer, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let index = 0; index < name.length; index++) {
    if (name[index] !== source[start + index]) return false;
  }
  return true;
}

function isSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN;
}

/**
 * Where one attribute of a tag is, as byte offsets: filled by nextAttribute, so that reading a
 * cell's attributes allocates nothing.
 */
export interface AttributeRange {
  /** The local name: after any prefix. */
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
}

/**
 * Finds the attribute starting at or after `from` in source[from, end) and fills `range` with it;
 * returns where the next one may start, or -1 when there is none.
 */
export function nextAttribute(source: Buffer, from: number, end: number, range: AttributeRange): number {
  let index = from;
  while (index < end && isSpace(source[index])) index++;
  if (index >= end) return -1;
  let equals = index;
  while (equals < end && source[equals] !== EQUALS) equals++;
  if (equals >= end) throw new XmlError('an attribute has no value');
  let nameEnd = equals;
  while (nameEnd > index && isSpace(source[nameEnd - 1])) nameEnd--;
  let nameStart = index;
  for (let colon = index; colon < nameEnd; colon++) {
    if (source[colon] === COLON) nameStart = colon + 1;
  }
  let quote = equals + 1;
  while (quote < end && isSpace(source[quote])) quote++;
  const quoteCode = source[quote];
  if (quote >= end || (quoteCode !== DOUBLE_QUOTE && quoteCode !== SINGLE_QUOTE)) throw new XmlError('an attribute value is not quoted');
  let close = quote + 1;
  while (close < end && source[close] !== quoteCode) close++;
  if (close >= end) throw new XmlError('an attribute value is not closed');
  range.nameStart = nameStart;
  range.nameEnd = nameEnd;
  range.valueStart = quote + 1;
  range.valueEnd = close;
  return close + 1;
}

/** The decoded value of the attribute whose local name is `name`, in source[start, end) (an XmlHandler.open's attributes). */
export function attributeValue(source: Buffer, name: string, start = 0, end = source.length): string | undefined {
  const range: AttributeRange = { nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0 };
  let found: string | undefined;
  for (let index = nextAttribute(source, start, end, range); index !== -1; index = nextAttribute(source, index, end, range)) {
    const value = xmlText(source, range.valueStart, range.valueEnd);
    if (found === undefined && source.toString('utf8', range.nameStart, range.nameEnd) === name) found = value;
  }
  return found;
}

/**
 * A text node's raw XML as it arrives, possibly in several pieces: kept as a range of the chunk
 * while it is one piece without references, which is what a sheet's values and shared strings
 * almost always are.
 */
export class XmlTextCollector {
  /** Whether the element holding the text was met at all (an empty <v></v> is: its text is empty); the handler sets it. */
  found = false;
  source: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  private referenced = false;
  private pieces: Buffer[] | null = null;

  clear(): void {
    this.found = false;
    this.start = 0;
    this.end = 0;
    this.referenced = false;
    this.pieces = null;
  }

  add(source: Buffer, start: number, end: number, referenced: boolean): void {
    this.referenced ||= referenced;
    if (this.pieces === null && this.end === this.start) {
      this.source = source;
      this.start = start;
      this.end = end;
      return;
    }
    // Rare: a value cut by a chunk boundary, or rich text in runs; a UTF-8 character may straddle the cut, so the bytes are joined before decoding.
    this.pieces ??= [this.source.subarray(this.start, this.end)];
    this.pieces.push(source.subarray(start, end));
  }

  /** One piece with no reference: its bytes are its text. */
  isPlain(): boolean {
    return this.pieces === null && !this.referenced;
  }

  text(): string {
    if (this.pieces === null) return this.referenced ? xmlText(this.source, this.start, this.end) : this.source.toString('utf8', this.start, this.end);
    const joined = Buffer.concat(this.pieces);
    return xmlText(joined, 0, joined.length);
  }
}

/** The text that the raw XML source[start, end) stands for. */
export function xmlText(source: Buffer, start: number, end: number): string {
  return decodeXmlText(source.toString('utf8', start, end));
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text with its entity and character references replaced; a reference XML does not allow throws. */
export function decodeXmlText(raw: string): string {
  let ampersand = raw.indexOf('&');
  if (ampersand === -1) return raw;
  let decoded = '';
  let from = 0;
  while (ampersand !== -1) {
    const semicolon = raw.indexOf(';', ampersand + 1);
    if (semicolon === -1 || semicolon - ampersand - 1 > MAX_REFERENCE_LENGTH) throw new XmlError('an "&" starts no reference');
    decoded += raw.slice(from, ampersand) + referencedText(raw.slice(ampersand + 1, semicolon));
    from = semicolon + 1;
    ampersand = raw.indexOf('&', from);
  }
  return decoded + raw.slice(from);
}

function referencedText(reference: string): string {
  const named = NAMED_ENTITIES[reference];
  if (named !== undefined && Object.hasOwn(NAMED_ENTITIES, reference)) return named;
  const match = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(reference);
  if (match === null) throw new XmlError(`&${reference}; is not a reference XML defines`);
  const codePoint = match[1] !== undefined ? parseInt(match[1], 16) : parseInt(match[2], 10);
  if (!isXmlCharacter(codePoint)) throw new XmlError(`&${reference}; refers to a character XML does not allow`);
  return String.fromCodePoint(codePoint);
}

function isXmlCharacter(code: number): boolean {
  return code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}
