/**
 * A small streaming XML scanner for the parts of an XLSX archive. It knows only what those parts
 * use: elements, attributes, text, the five named entities and character references; comments,
 * processing instructions and CDATA are accepted. A DOCTYPE is refused, so no entity can expand.
 * It checks what a reader needs to trust its output (tags nest and close, characters are XML
 * characters, references are valid) and no more, which is what makes it several times faster
 * than a general parser building an object per tag.
 */

export class XmlError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'XmlError';
  }
}

export interface XmlHandler {
  /** `name` is the local name (any prefix dropped); `attributes` is the tag's raw text after the name, for attributeValue. */
  open(name: string, attributes: string, selfClosing: boolean): void;
  close(name: string): void;
  /** Decoded text inside the root element; one text node may arrive in several calls. */
  text(text: string): void;
}

/** Characters XML 1.0 forbids outright; a lone surrogate cannot come out of UTF-8 decoding. */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's purpose
const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** A tag or other markup longer than this is not in any workbook: refused rather than buffered. */
const MAX_MARKUP_LENGTH = 16 * 1024 * 1024;
const MAX_KNOWN_NAMES = 32;
const NAME_HINT_SLOTS = 32 * 128;
const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;
const EXCLAMATION_MARK = 0x21;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

export class XmlScanner {
  /** The start of markup cut by the end of the last chunk. */
  private pending = '';
  /** Qualified names of the open elements, innermost last. */
  private readonly open: string[] = [];
  /** Their local names, for close(). */
  private readonly openLocal: string[] = [];
  /** Element names seen so far with their local names: a part uses a few names millions of times, and a hit allocates nothing. */
  private readonly names: string[] = [];
  private readonly localNames: string[] = [];
  /** (length, first character) → index + 1 in `names` of the last name met with them: most tags find theirs in one comparison. */
  private readonly nameHints = new Uint8Array(NAME_HINT_SLOTS);
  private rootClosed = false;
  private started = false;

  constructor(private readonly handler: XmlHandler) {}

  write(chunk: string): void {
    if (FORBIDDEN_CHARACTERS.test(chunk)) throw new XmlError('it holds a character XML does not allow');
    let text = this.pending + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const consumed = this.scan(text);
    this.pending = consumed === text.length ? '' : text.slice(consumed);
    if (this.pending.length > MAX_MARKUP_LENGTH) throw new XmlError('a tag is too long');
  }

  end(): void {
    if (this.pending.length > 0) throw new XmlError('it ends inside a tag');
    if (this.open.length > 0) throw new XmlError(`it ends before </${this.open[this.open.length - 1]}>`);
    if (!this.rootClosed) throw new XmlError('it has no root element');
  }

  /** Handles every complete token of `text`; returns where the incomplete rest starts. */
  private scan(text: string): number {
    let index = 0;
    while (index < text.length) {
      const markup = text.indexOf('<', index);
      if (markup === -1) {
        // A reference must not be split between two calls: keep from its '&' for the next chunk.
        const ampersand = text.indexOf('&', Math.max(index, text.length - 12));
        const end = ampersand === -1 ? text.length : ampersand;
        this.characters(text, index, end);
        return end;
      }
      if (markup > index) this.characters(text, index, markup);
      const next = this.markup(text, markup);
      if (next === -1) return markup;
      index = next;
    }
    return index;
  }

  /** Handles the markup at `start`; returns the index after it, or -1 when it is not complete yet. */
  private markup(text: string, start: number): number {
    const second = text.charCodeAt(start + 1);
    if (Number.isNaN(second)) return -1;
    if (second === SLASH) {
      const end = text.indexOf('>', start + 2);
      if (end === -1) return -1;
      this.closeElement(text, start + 2, end);
      return end + 1;
    }
    if (second === QUESTION_MARK) {
      const end = text.indexOf('?>', start + 2);
      return end === -1 ? -1 : end + 2;
    }
    if (second === EXCLAMATION_MARK) return this.declaration(text, start);
    const end = tagEnd(text, start + 1);
    if (end === -1) return -1;
    const selfClosing = text.charCodeAt(end - 1) === SLASH;
    const bodyEnd = selfClosing ? end - 1 : end;
    let nameEnd = start + 1;
    while (nameEnd < bodyEnd && !isSpace(text.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === start + 1) throw new XmlError('a tag has no name');
    if (this.open.length === 0 && this.rootClosed) throw new XmlError('it has more than one root element');
    const known = this.knownName(text, start + 1, nameEnd);
    const local = this.localNames[known];
    this.handler.open(local, nameEnd === bodyEnd ? '' : text.slice(nameEnd, bodyEnd), selfClosing);
    if (selfClosing) {
      this.rootClosed ||= this.open.length === 0;
    } else {
      this.open.push(this.names[known]);
      this.openLocal.push(local);
    }
    return end + 1;
  }

  /** The index in `names` of the name text[start, end), added when new. */
  private knownName(text: string, start: number, end: number): number {
    const length = end - start;
    const slot = ((length & 31) << 7) | (text.charCodeAt(start) & 127);
    const hinted = this.nameHints[slot] - 1;
    if (hinted >= 0 && this.names[hinted].length === length && text.startsWith(this.names[hinted], start)) return hinted;
    for (let index = 0; index < this.names.length; index++) {
      const name = this.names[index];
      if (name.length === length && text.startsWith(name, start)) {
        this.nameHints[slot] = index + 1;
        return index;
      }
    }
    if (this.names.length >= MAX_KNOWN_NAMES) {
      // A part with this many element names is not a workbook part; the last slot is reused so the list stays short.
      this.names.pop();
      this.localNames.pop();
    }
    const name = text.slice(start, end);
    this.names.push(name);
    this.localNames.push(localName(name));
    this.nameHints[slot] = this.names.length;
    return this.names.length - 1;
  }

  /** Comments and CDATA; a DOCTYPE could declare entities that expand without bound, so it is refused. */
  private declaration(text: string, start: number): number {
    if (text.length - start < 9) return -1;
    if (text.startsWith('<!--', start)) {
      const end = text.indexOf('-->', start + 4);
      return end === -1 ? -1 : end + 3;
    }
    if (text.startsWith('<![CDATA[', start)) {
      const end = text.indexOf(']]>', start + 9);
      if (end === -1) return -1;
      if (this.open.length === 0) throw new XmlError('it has CDATA outside the root element');
      if (end > start + 9) this.handler.text(text.slice(start + 9, end));
      return end + 3;
    }
    throw new XmlError('it has a document type declaration');
  }

  /** The end tag whose name is text[start, end): compared in place, since most end tags need no string of their own. */
  private closeElement(text: string, start: number, end: number): void {
    const expected = this.open.pop();
    let nameEnd = end;
    while (nameEnd > start && isSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
    if (expected === undefined || nameEnd - start !== expected.length || !text.startsWith(expected, start)) {
      const name = text.slice(start, nameEnd);
      throw new XmlError(expected === undefined ? `</${name}> closes nothing` : `</${name}> closes <${expected}>`);
    }
    this.handler.close(this.openLocal.pop() as string);
    if (this.open.length === 0) this.rootClosed = true;
  }

  private characters(text: string, start: number, end: number): void {
    if (this.open.length > 0) {
      this.handler.text(decodeXmlText(text.slice(start, end)));
      return;
    }
    if (text.slice(start, end).trim() !== '') throw new XmlError('it has text outside the root element');
  }
}

/** The index of the '>' ending the tag whose name starts at `from`, skipping quoted attribute values; -1 when not there yet. */
function tagEnd(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === GREATER_THAN) return index;
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      const close = text.indexOf(code === DOUBLE_QUOTE ? '"' : "'", index + 1);
      if (close === -1) return -1;
      index = close;
    } else if (code === LESS_THAN) {
      throw new XmlError('a tag holds a "<"');
    }
  }
  return -1;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** The decoded value of the attribute whose local name is `name`, from an XmlHandler.open `attributes`. */
export function attributeValue(attributes: string, name: string): string | undefined {
  let found: string | undefined;
  forEachAttribute(attributes, (attributeName, value) => {
    if (found === undefined && attributeName === name) found = value;
  });
  return found;
}

/** Calls `visit` with each attribute's local name and decoded value, in order. */
export function forEachAttribute(attributes: string, visit: (name: string, value: string) => void): void {
  const length = attributes.length;
  let index = 0;
  for (;;) {
    while (index < length && isSpace(attributes.charCodeAt(index))) index++;
    if (index >= length) return;
    const equals = attributes.indexOf('=', index);
    if (equals === -1) throw new XmlError('an attribute has no value');
    let nameEnd = equals;
    while (nameEnd > index && isSpace(attributes.charCodeAt(nameEnd - 1))) nameEnd--;
    let quote = equals + 1;
    while (quote < length && isSpace(attributes.charCodeAt(quote))) quote++;
    const quoteCode = attributes.charCodeAt(quote);
    if (quoteCode !== DOUBLE_QUOTE && quoteCode !== SINGLE_QUOTE) throw new XmlError('an attribute value is not quoted');
    const close = attributes.indexOf(quoteCode === DOUBLE_QUOTE ? '"' : "'", quote + 1);
    if (close === -1) throw new XmlError('an attribute value is not closed');
    visit(localName(attributes.slice(index, nameEnd)), decodeXmlText(attributes.slice(quote + 1, close)));
    index = close + 1;
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** "#x10FFFF" is the longest reference XML allows. */
const MAX_REFERENCE_LENGTH = 10;

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
