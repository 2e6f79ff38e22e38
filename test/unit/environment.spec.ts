import {
  AppConfig,
  InvalidEnvironmentError,
  isAddressOrCidr,
  parseEnvironment,
} from '../../src/config/environment';

/** Runs parseEnvironment and returns the problems it reports (fails the test when it does not throw). */
function problemsOf(environment: Record<string, string | undefined>): string[] {
  let caught: unknown;
  try {
    parseEnvironment(environment);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidEnvironmentError);
  return (caught as InvalidEnvironmentError).problems;
}

const PRODUCTION_SECRET = 'p'.repeat(32);

describe('parseEnvironment', () => {
  describe('defaults on an empty environment', () => {
    it('returns the documented defaults for development', () => {
      const config = parseEnvironment({});
      const expected: AppConfig = {
        nodeEnvironment: 'development',
        port: 3000,
        host: '0.0.0.0',
        databaseUrl: 'postgres://postgres@127.0.0.1:5432/sms',
        redisUrl: 'redis://127.0.0.1:6379',
        redisKeyPrefix: 'sms:',
        jwtSecret: 'development-only-secret-do-not-use-in-production',
        accessTokenTtlSeconds: 3600,
        adminEmail: undefined,
        adminPassword: undefined,
        trustProxy: [],
        importDirectory: './import',
        importStorageDirectory: './data/imports',
        importPreviewTtlHours: 24,
        exportDirectory: './exports',
        backupDirectory: './data/backups',
        role: 'all',
        jobTtlHours: 24,
        jobConcurrency: 2,
        jobLockSeconds: 30,
        jobStalledIntervalSeconds: 30,
        cleanupCron: '0 3 * * *',
        auditRetentionDays: 90,
        auditSigningKey: undefined,
        auditSigningKeyFile: './data/audit-signing.key',
        auditCheckpointRows: 1000,
        auditCheckpointMinutes: 5,
        importMaxFileMegabytes: 100,
        importMaxRows: 2_000_000,
        importUndoDays: 30,
        importMassChangePercent: 20,
        logLevel: 'info',
        rateLimits: {
          defaultPerMinute: 600,
          loginPerIpPerMinute: 20,
          loginPerEmailPerMinute: 5,
          perUserPerMinute: 100,
          heavyPerMinute: 20,
        },
      };
      expect(config).toStrictEqual(expected);
    });

    it('treats empty and whitespace-only values as unset', () => {
      const config = parseEnvironment({ PORT: '', ROLE: '   ', DATABASE_URL: ' \t ', LOG_LEVEL: '' });
      expect(config.port).toBe(3000);
      expect(config.role).toBe('all');
      expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/sms');
      expect(config.logLevel).toBe('info');
    });

    it('defaults the log level to silent under NODE_ENV=test', () => {
      expect(parseEnvironment({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    });

    it('defaults the log level to info in production', () => {
      expect(parseEnvironment({ NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET }).logLevel).toBe('info');
    });

    it('lets LOG_LEVEL override the test default', () => {
      expect(parseEnvironment({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    });
  });

  describe('reading values', () => {
    it('trims values and parses integers', () => {
      const config = parseEnvironment({
        PORT: ' 8080 ',
        HOST: ' 127.0.0.1 ',
        ROLE: 'worker',
        JOB_TTL_HOURS: '48',
        AUDIT_RETENTION_DAYS: '30',
        IMPORT_MAX_FILE_MB: '5',
        IMPORT_MAX_ROWS: '1000',
        ACCESS_TOKEN_TTL_MINUTES: '15',
        RATE_LIMIT_HEAVY_PER_MINUTE: '3',
        IMPORT_DIR: '/data/import',
        EXPORT_DIR: '/data/exports',
      });
      expect(config.port).toBe(8080);
      expect(config.host).toBe('127.0.0.1');
      expect(config.role).toBe('worker');
      expect(config.jobTtlHours).toBe(48);
      expect(config.auditRetentionDays).toBe(30);
      expect(config.importMaxFileMegabytes).toBe(5);
      expect(config.importMaxRows).toBe(1000);
      expect(config.accessTokenTtlSeconds).toBe(15 * 60);
      expect(config.rateLimits.heavyPerMinute).toBe(3);
      expect(config.importDirectory).toBe('/data/import');
      expect(config.exportDirectory).toBe('/data/exports');
    });

    it('accepts the integer bounds themselves', () => {
      expect(parseEnvironment({ PORT: '0' }).port).toBe(0);
      expect(parseEnvironment({ PORT: '65535' }).port).toBe(65535);
      expect(parseEnvironment({ JOB_TTL_HOURS: '8760' }).jobTtlHours).toBe(8760);
      expect(parseEnvironment({ ACCESS_TOKEN_TTL_MINUTES: '43200' }).accessTokenTtlSeconds).toBe(43200 * 60);
    });

    it.each([
      ['PORT', '65536', 'PORT must be an integer from 0 to 65535 (got "65536")'],
      ['PORT', '-1', 'PORT must be an integer from 0 to 65535 (got "-1")'],
      ['PORT', '80.5', 'PORT must be an integer from 0 to 65535 (got "80.5")'],
      ['PORT', '1e3', 'PORT must be an integer from 0 to 65535 (got "1e3")'],
      ['JOB_TTL_HOURS', '0', 'JOB_TTL_HOURS must be an integer from 1 to 8760 (got "0")'],
      ['IMPORT_MAX_ROWS', '100000001', 'IMPORT_MAX_ROWS must be an integer from 1 to 100000000 (got "100000001")'],
      ['ACCESS_TOKEN_TTL_MINUTES', '43201', 'ACCESS_TOKEN_TTL_MINUTES must be an integer from 1 to 43200 (got "43201")'],
    ])('rejects %s=%s', (name, value, message) => {
      expect(problemsOf({ [name]: value })).toEqual([message]);
    });

    it('accepts postgresql: and rediss: URLs', () => {
      const config = parseEnvironment({
        DATABASE_URL: 'postgresql://app:secret@db:5432/app',
        REDIS_URL: 'rediss://cache:6380',
      });
      expect(config.databaseUrl).toBe('postgresql://app:secret@db:5432/app');
      expect(config.redisUrl).toBe('rediss://cache:6380');
    });

    it('rejects a URL that cannot be parsed and a Redis URL with the wrong scheme', () => {
      expect(problemsOf({ DATABASE_URL: 'not a url', REDIS_URL: 'http://cache:6379' })).toEqual([
        'DATABASE_URL is not a valid URL',
        'REDIS_URL must use redis: or rediss: (got "http:")',
      ]);
    });

    it('rejects an unknown NODE_ENV and LOG_LEVEL', () => {
      expect(problemsOf({ NODE_ENV: 'staging', LOG_LEVEL: 'verbose' })).toEqual([
        'NODE_ENV must be one of development, test, production (got "staging")',
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
      ]);
    });

    it('validates REDIS_KEY_PREFIX', () => {
      expect(parseEnvironment({ REDIS_KEY_PREFIX: 'tenant-1:sms_' }).redisKeyPrefix).toBe('tenant-1:sms_');
      expect(parseEnvironment({ REDIS_KEY_PREFIX: 'k'.repeat(64) }).redisKeyPrefix).toBe('k'.repeat(64));
      const message = 'REDIS_KEY_PREFIX may hold only letters, digits, ":", "_" and "-" (at most 64)';
      expect(problemsOf({ REDIS_KEY_PREFIX: 'a b' })).toEqual([message]);
      expect(problemsOf({ REDIS_KEY_PREFIX: 'k'.repeat(65) })).toEqual([message]);
    });
  });

  describe('reporting every problem at once', () => {
    it('throws one InvalidEnvironmentError naming each bad variable', () => {
      const problems = problemsOf({
        PORT: 'abc',
        ROLE: 'boss',
        TRUST_PROXY: 'nonsense',
        DATABASE_URL: 'mysql://x',
      });
      expect(problems).toHaveLength(4);
      expect(problems).toEqual(
        expect.arrayContaining([
          'PORT must be an integer from 0 to 65535 (got "abc")',
          'ROLE must be one of all, api, worker (got "boss")',
          'TRUST_PROXY entry "nonsense" is not an IP address or CIDR range',
          'DATABASE_URL must use postgres: or postgresql: (got "mysql:")',
        ]),
      );
    });

    it('puts every problem into the error message, one per line', () => {
      let caught: unknown;
      try {
        parseEnvironment({ PORT: 'abc', ROLE: 'boss' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(Error);
      expect((caught as Error).message).toBe(
        'Invalid configuration:\n' +
          '  - PORT must be an integer from 0 to 65535 (got "abc")\n' +
          '  - ROLE must be one of all, api, worker (got "boss")',
      );
    });
  });

  describe('JWT_SECRET', () => {
    it('is required in production', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['JWT_SECRET is required when NODE_ENV=production']);
    });

    it('must be at least 32 characters in production', () => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })).toEqual([
        'JWT_SECRET must be at least 32 characters when NODE_ENV=production',
      ]);
      expect(parseEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toBe('x'.repeat(32));
    });

    it('may be short outside production', () => {
      expect(parseEnvironment({ NODE_ENV: 'test', JWT_SECRET: 'short' }).jwtSecret).toBe('short');
      expect(parseEnvironment({ JWT_SECRET: 'short' }).jwtSecret).toBe('short');
    });

    it('falls back to the development secret in test', () => {
      expect(parseEnvironment({ NODE_ENV: 'test' }).jwtSecret).toBe('development-only-secret-do-not-use-in-production');
    });
  });

  describe('ADMIN_EMAIL and ADMIN_PASSWORD', () => {
    it('lowercases the email and keeps the password', () => {
      const config = parseEnvironment({ ADMIN_EMAIL: ' Admin@Example.COM ', ADMIN_PASSWORD: 'correct horse battery' });
      expect(config.adminEmail).toBe('admin@example.com');
      expect(config.adminPassword).toBe('correct horse battery');
    });

    it('requires both together', () => {
      const together = 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together';
      expect(problemsOf({ ADMIN_EMAIL: 'admin@example.com' })).toEqual([together]);
      expect(problemsOf({ ADMIN_PASSWORD: 'long-enough-password' })).toEqual([together]);
    });

    it('requires a password of at least 12 characters', () => {
      expect(problemsOf({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: '12345678901' })).toEqual([
        'ADMIN_PASSWORD must be at least 12 characters',
      ]);
      expect(parseEnvironment({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: '123456789012' }).adminPassword).toBe(
        '123456789012',
      );
    });

    it('rejects something that is not an email address', () => {
      expect(problemsOf({ ADMIN_EMAIL: 'Admin@Localhost', ADMIN_PASSWORD: '123456789012' })).toEqual([
        'ADMIN_EMAIL is not an email address (got "admin@localhost")',
      ]);
    });
  });

  describe('TRUST_PROXY', () => {
    it('splits a comma list, trimming entries and dropping empty ones', () => {
      expect(parseEnvironment({ TRUST_PROXY: ' 10.0.0.1 , ,192.168.0.0/16,, ::1 ,' }).trustProxy).toEqual([
        '10.0.0.1',
        '192.168.0.0/16',
        '::1',
      ]);
    });

    it('is an empty list when only separators are given', () => {
      expect(parseEnvironment({ TRUST_PROXY: ' , ,' }).trustProxy).toEqual([]);
    });

    it('reports each bad entry', () => {
      expect(problemsOf({ TRUST_PROXY: '10.0.0.1, proxy.local, 10.0.0.0/33' })).toEqual([
        'TRUST_PROXY entry "proxy.local" is not an IP address or CIDR range',
        'TRUST_PROXY entry "10.0.0.0/33" is not an IP address or CIDR range',
      ]);
    });
  });
});

describe('isAddressOrCidr', () => {
  it.each(['10.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '::', 'fe80::1', '2001:db8::8a2e:370:7334', '::ffff:10.0.0.1'])(
    'accepts the address %s',
    (entry) => {
      expect(isAddressOrCidr(entry)).toBe(true);
    },
  );

  it.each(['10.0.0.0/8', '192.168.0.0/16', '0.0.0.0/0', '10.0.0.1/32', '2001:db8::/32', '::/0', '::1/128'])(
    'accepts the CIDR range %s',
    (entry) => {
      expect(isAddressOrCidr(entry)).toBe(true);
    },
  );

  it.each([
    ['IPv4 prefix above 32', '10.0.0.0/33'],
    ['IPv6 prefix above 128', '2001:db8::/129'],
    ['non-numeric prefix', '10.0.0.0/x'],
    ['negative prefix', '10.0.0.0/-1'],
    ['empty prefix', '10.0.0.0/'],
    ['four-digit prefix', '2001:db8::/0128'],
    ['two slashes', '10.0.0.0/8/8'],
    ['a/b/c', 'a/b/c'],
    ['hostname', 'localhost'],
    ['hostname with prefix', 'proxy.example.com/24'],
    ['IPv4 octet above 255', '256.0.0.1'],
    ['short IPv4', '10.0.1'],
    ['empty string', ''],
  ])('rejects a %s (%s)', (_label, entry) => {
    expect(isAddressOrCidr(entry)).toBe(false);
  });
});

describe('parseEnvironment edge cases', () => {
  it('refuses a DATABASE_URL without a database name or with a broken escape', () => {
    for (const value of ['postgres://postgres@127.0.0.1:5432', 'postgres://postgres@127.0.0.1:5432/100%']) {
      expect(() => parseEnvironment({ DATABASE_URL: value })).toThrow('DATABASE_URL must name a database');
    }
  });

  it('keeps spaces at the ends of secrets', () => {
    const config = parseEnvironment({ ADMIN_EMAIL: 'a@b.example', ADMIN_PASSWORD: '  twelve chars  ', JWT_SECRET: ' s ' });
    expect(config.adminPassword).toBe('  twelve chars  ');
    expect(config.jwtSecret).toBe(' s ');
  });
});
