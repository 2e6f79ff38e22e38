import { isIP } from 'node:net';
import { signingKeyProblem } from '../audit/audit-signing-key';

export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

/** Requests per minute allowed by each named rate-limit policy. */
export interface RateLimitSettings {
  defaultPerMinute: number;
  loginPerIpPerMinute: number;
  loginPerEmailPerMinute: number;
  perUserPerMinute: number;
  heavyPerMinute: number;
}

export interface AppConfig {
  nodeEnvironment: NodeEnvironment;
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  adminEmail?: string;
  adminPassword?: string;
  trustProxy: string[];
  importDirectory: string;
  /** Where uploaded import files are kept between preview and commit; API and worker processes must share it. */
  importStorageDirectory: string;
  /** How long a preview can be committed after it was made. */
  importPreviewTtlHours: number;
  /** Where large exports (job exports) write their files until their job expires. */
  exportDirectory: string;
  /** Where backups (archive and manifest) are written; shared by every API and worker process. */
  backupDirectory: string;
  role: ProcessRole;
  jobTtlHours: number;
  /** Jobs one worker process runs at once. */
  jobConcurrency: number;
  /** How long a worker's lock on a running job lasts without renewal; a killed worker's job is free again after this. */
  jobLockSeconds: number;
  /** How often workers look for jobs whose worker died. */
  jobStalledIntervalSeconds: number;
  /** When the daily cleanup job runs (cron, server time). */
  cleanupCron: string;
  auditRetentionDays: number;
  /** Ed25519 key that signs audit checkpoints; without one a key is generated into auditSigningKeyFile. */
  auditSigningKey?: string;
  auditSigningKeyFile: string;
  /** A checkpoint every this many audit rows... */
  auditCheckpointRows: number;
  /** ...or every this many minutes, whichever comes first. */
  auditCheckpointMinutes: number;
  importMaxFileMegabytes: number;
  importMaxRows: number;
  /** How long a committed import can be undone; its before-images are removed after. */
  importUndoDays: number;
  /** A commit that updates or restores more than this share of its entity's records needs confirmMassChange. */
  importMassChangePercent: number;
  logLevel: LogLevel;
  rateLimits: RateLimitSettings;
}

/** The development secret is public on purpose: it only signs tokens outside production and test. */
const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production';
export const MINIMUM_PASSWORD_LENGTH = 12;

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

type Environment = Record<string, string | undefined>;

/**
 * Reads and validates the whole configuration at once, so that a bad deployment learns every
 * problem from one start instead of one per restart.
 */
export function parseEnvironment(environment: Environment): AppConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = environment[name]?.trim();
    return value === '' ? undefined : value;
  };
  // Secrets are taken as given: a space at either end is part of the password.
  const readSecret = (name: string): string | undefined => {
    const value = environment[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, minimum: number, maximum: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < minimum || Number(raw) > maximum) {
      problems.push(`${name} must be an integer from ${minimum} to ${maximum} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const url = (name: string, fallback: string, protocols: string[]): string => {
    const raw = read(name) ?? fallback;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const cron = (name: string, fallback: string): string => {
    const raw = read(name) ?? fallback;
    if (!/^(\S+\s+){4}\S+$/.test(raw)) problems.push(`${name} must be a five-field cron expression (got "${raw}")`);
    return raw;
  };

  const nodeEnvironment = oneOf('NODE_ENV', NODE_ENVIRONMENTS, 'development');
  let jwtSecret = readSecret('JWT_SECRET');
  if (jwtSecret === undefined) {
    if (nodeEnvironment === 'production') problems.push('JWT_SECRET is required when NODE_ENV=production');
    jwtSecret = DEVELOPMENT_JWT_SECRET;
  } else if (nodeEnvironment === 'production' && jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters when NODE_ENV=production');
  }

  const adminEmail = read('ADMIN_EMAIL')?.toLowerCase();
  const adminPassword = readSecret('ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) {
    problems.push(`ADMIN_EMAIL is not an email address (got "${adminEmail}")`);
  }
  if (adminPassword !== undefined && adminPassword.length < MINIMUM_PASSWORD_LENGTH) {
    problems.push(`ADMIN_PASSWORD must be at least ${MINIMUM_PASSWORD_LENGTH} characters`);
  }

  const trustProxy = (read('TRUST_PROXY') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of trustProxy) {
    if (!isAddressOrCidr(entry)) problems.push(`TRUST_PROXY entry "${entry}" is not an IP address or CIDR range`);
  }

  const redisKeyPrefix = read('REDIS_KEY_PREFIX') ?? 'sms:';
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(redisKeyPrefix)) {
    problems.push('REDIS_KEY_PREFIX may hold only letters, digits, ":", "_" and "-" (at most 64)');
  }

  const auditSigningKey = readSecret('AUDIT_SIGNING_KEY');
  const signingKeyError = auditSigningKey === undefined ? undefined : signingKeyProblem(auditSigningKey);
  if (signingKeyError !== undefined) problems.push(`AUDIT_SIGNING_KEY ${signingKeyError}`);

  const databaseUrl = url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/sms', ['postgres:', 'postgresql:']);
  if (!problems.some((problem) => problem.startsWith('DATABASE_URL'))) {
    const databaseName = new URL(databaseUrl).pathname.slice(1);
    let decodable = true;
    try {
      decodeURIComponent(databaseName);
    } catch {
      decodable = false;
    }
    if (databaseName === '' || !decodable) problems.push('DATABASE_URL must name a database, e.g. postgres://postgres@127.0.0.1:5432/sms');
  }

  const config: AppConfig = {
    nodeEnvironment,
    port: integer('PORT', 3000, 0, 65535),
    host: read('HOST') ?? '0.0.0.0',
    databaseUrl,
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisKeyPrefix,
    jwtSecret,
    accessTokenTtlSeconds: integer('ACCESS_TOKEN_TTL_MINUTES', 60, 1, 60 * 24 * 30) * 60,
    adminEmail,
    adminPassword,
    trustProxy,
    importDirectory: read('IMPORT_DIR') ?? './import',
    importStorageDirectory: read('IMPORT_STORAGE_DIR') ?? './data/imports',
    importPreviewTtlHours: integer('IMPORT_PREVIEW_TTL_HOURS', 24, 1, 24 * 30),
    exportDirectory: read('EXPORT_DIR') ?? './exports',
    backupDirectory: read('BACKUP_DIR') ?? './data/backups',
    role: oneOf('ROLE', PROCESS_ROLES, 'all'),
    jobTtlHours: integer('JOB_TTL_HOURS', 24, 1, 24 * 365),
    jobConcurrency: integer('JOB_CONCURRENCY', 2, 1, 64),
    jobLockSeconds: integer('JOB_LOCK_SECONDS', 30, 1, 3600),
    jobStalledIntervalSeconds: integer('JOB_STALLED_INTERVAL_SECONDS', 30, 1, 3600),
    cleanupCron: cron('CLEANUP_CRON', '0 3 * * *'),
    auditRetentionDays: integer('AUDIT_RETENTION_DAYS', 90, 1, 365 * 100),
    auditSigningKey,
    auditSigningKeyFile: read('AUDIT_SIGNING_KEY_FILE') ?? './data/audit-signing.key',
    auditCheckpointRows: integer('AUDIT_CHECKPOINT_ROWS', 1000, 1, 10_000_000),
    auditCheckpointMinutes: integer('AUDIT_CHECKPOINT_MINUTES', 5, 1, 24 * 60),
    importMaxFileMegabytes: integer('IMPORT_MAX_FILE_MB', 100, 1, 10240),
    importMaxRows: integer('IMPORT_MAX_ROWS', 2_000_000, 1, 100_000_000),
    importUndoDays: integer('IMPORT_UNDO_DAYS', 30, 1, 3650),
    importMassChangePercent: integer('IMPORT_MASS_CHANGE_PERCENT', 20, 0, 100),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnvironment === 'test' ? 'silent' : 'info'),
    rateLimits: {
      defaultPerMinute: integer('RATE_LIMIT_DEFAULT_PER_MINUTE', 600, 1, 1_000_000),
      loginPerIpPerMinute: integer('RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE', 20, 1, 1_000_000),
      loginPerEmailPerMinute: integer('RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE', 5, 1, 1_000_000),
      perUserPerMinute: integer('RATE_LIMIT_PER_USER_PER_MINUTE', 100, 1, 1_000_000),
      heavyPerMinute: integer('RATE_LIMIT_HEAVY_PER_MINUTE', 20, 1, 1_000_000),
    },
  };
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return config;
}

export function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}
