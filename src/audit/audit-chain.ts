import { hash } from 'node:crypto';

/** The prev_hash of the first row ever written. */
export const GENESIS_HASH = '0'.repeat(64);
const ROW_ENCODING_VERSION = 'sms-audit-1';

/** Text already in jsonb's text form (a jsonb column read as `details::text`), spliced in as it is. */
export class JsonbText {
  constructor(readonly text: string) {}
}

export type JsonbValue = null | boolean | number | string | JsonbText | JsonbValue[] | { [key: string]: JsonbValue };

/**
 * A number as PostgreSQL's numeric prints it: plain digits, never an exponent. The shortest
 * decimal that JavaScript prints reads back as this same number in jsonb.
 */
export function plainNumber(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (!Number.isFinite(value)) throw new Error(`${value} cannot be stored in jsonb`);
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign, whole, fraction = '', exponentText] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** jsonb orders an object's keys by their length in bytes, then byte by byte. */
function compareJsonbKeys(left: string, right: string): number {
  const a = Buffer.from(left, 'utf8');
  const b = Buffer.from(right, 'utf8');
  return a.length === b.length ? Buffer.compare(a, b) : a.length - b.length;
}

/**
 * The text PostgreSQL prints for a jsonb value (`value::text`): keys ordered as jsonb keeps them,
 * `", "` and `": "` between items, strings escaped as JSON.stringify does. It is the canonical
 * form the chain hashes, so the database and this code produce the same bytes.
 */
export function jsonbText(value: JsonbValue): string {
  if (value === null) return 'null';
  if (value instanceof JsonbText) return value.text;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return plainNumber(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const entries = Object.entries(value)
    .filter(([, child]) => child !== undefined)
    .sort(([left], [right]) => compareJsonbKeys(left, right));
  return `{${entries.map(([key, child]) => `${JSON.stringify(key)}: ${jsonbText(child)}`).join(', ')}}`;
}

/** The fields of an audit row that its hash covers, as the API and the export show them. */
export interface ChainedRowFields {
  seq: number;
  id: number;
  timestamp: Date | string;
  userId: string | null;
  email: string | null;
  action: string;
  resource: string;
  resourceId: string | null;
  ipAddress: string | null;
  peerAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
  success: boolean;
  statusCode: number | null;
  errorCode: string | null;
  /** Parsed JSON, or jsonb's own text when read straight from the database. */
  details: JsonbValue | Record<string, unknown>;
  prevHash: string;
}

/** Milliseconds, UTC, as the trigger prints the timestamptz(3) column. */
function isoTimestamp(timestamp: Date | string): string {
  const date = timestamp instanceof Date ? timestamp : new Date(timestamp);
  if (Number.isNaN(date.getTime())) throw new Error(`Invalid timestamp ${String(timestamp)}`);
  return date.toISOString();
}

function textOrNull(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

function integerOrNull(value: number | null): string {
  return value === null ? 'null' : plainNumber(value);
}

/**
 * The exact bytes (as text) the insert trigger hashes (audit_logs_canonical in the migration):
 * jsonbText of the row's array, spelled out because the verify job runs it a million times.
 */
export function canonicalRow(row: ChainedRowFields): string {
  return (
    `["${ROW_ENCODING_VERSION}", ${plainNumber(row.seq)}, ${plainNumber(row.id)}, "${isoTimestamp(row.timestamp)}", ` +
    `${textOrNull(row.userId === null ? null : row.userId.toLowerCase())}, ${textOrNull(row.email)}, ${JSON.stringify(row.action)}, ` +
    `${JSON.stringify(row.resource)}, ${textOrNull(row.resourceId)}, ${textOrNull(row.ipAddress)}, ${textOrNull(row.peerAddress)}, ` +
    `${textOrNull(row.userAgent)}, ${textOrNull(row.requestId)}, ${row.success ? 'true' : 'false'}, ${integerOrNull(row.statusCode)}, ` +
    `${textOrNull(row.errorCode)}, ${jsonbText(row.details as JsonbValue)}, ${JSON.stringify(row.prevHash)}]`
  );
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

export function rowHash(row: ChainedRowFields): string {
  return sha256Hex(canonicalRow(row));
}
