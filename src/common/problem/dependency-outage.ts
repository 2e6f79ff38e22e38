import { ProblemCode } from './problem-codes';
/** A backing service whose outage answers 503 rather than 500. */
export enum Dependency {
  Redis = 'redis',
  PostgreSql = 'postgresql',
}

export interface OutageProblem {
  code: ProblemCode;
  detail: string;
}

/** How long clients are asked to wait: about what a reconnection of either client takes. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

export const OUTAGE_PROBLEMS: Record<Dependency, OutageProblem> = {
  [Dependency.Redis]: {
    code: 'queue_unavailable',
    detail: 'The job store and queue (Redis) cannot be reached; retry after the time given in Retry-After.',
  },
  [Dependency.PostgreSql]: {
    code: 'database_unavailable',
    detail: 'The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.',
  },
};

/**
 * What ioredis and BullMQ reject a command with when the connection failed rather than the
 * command: offline with the offline queue disabled, closed, out of retries, or timed out.
 */
const REDIS_CONNECTION_MESSAGES = /^(Stream isn't writeable|Connection is closed|Reached the max retries per request limit|Command timed out)/;
/** Replies of a Redis that is there but cannot serve: loading, no master, read-only replica, out of memory, cannot persist, busy. */
const REDIS_UNAVAILABLE_REPLIES = /^(LOADING|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|MISCONF|OOM|BUSY) /;

/**
 * SQLSTATEs of a server that cannot serve a session: connection exceptions (08), admin or crash
 * shutdown and not accepting connections yet (57P01–57P03), too many connections (53300).
 */
const POSTGRES_OUTAGE_STATES = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** node-postgres' own connection failures (its connect timeout included), and knex's pool giving up on acquiring a connection. */
const POSTGRES_CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout expired$|Knex: Timeout acquiring a connection)/;
/**
 * Socket failures. Only the PostgreSQL client rejects a query with them: ioredis reports socket
 * errors as events and rejects the command with one of its own messages above.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const MAX_CAUSE_DEPTH = 5;

function ownOutage(error: object): Dependency | undefined {
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (REDIS_CONNECTION_MESSAGES.test(text) || (name === 'ReplyError' && REDIS_UNAVAILABLE_REPLIES.test(text))) return Dependency.Redis;
  if (typeof code === 'string' && (POSTGRES_OUTAGE_STATES.test(code) || NETWORK_CODES.has(code))) return Dependency.PostgreSql;
  if (POSTGRES_CONNECTION_MESSAGES.test(text)) return Dependency.PostgreSql;
  return undefined;
}

/**
 * The dependency whose outage an error reports, or undefined for any other failure. Looks through
 * `cause` as well, since a service may wrap the client's error in its own.
 */
export function dependencyOutageOf(error: unknown): Dependency | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth += 1) {
    const outage = ownOutage(current);
    if (outage !== undefined) return outage;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
