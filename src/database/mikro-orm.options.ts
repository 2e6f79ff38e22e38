import { Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { migrations } from '../../migrations';

const knexLogger = new Logger('Knex');

/** Options shared by the service and the migration scripts; entities come from each module's forFeature. */
export function mikroOrmOptions(databaseUrl: string): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    pool: { min: 0, max: 10 },
    // Bounded waits, so a request answers 503 within seconds while PostgreSQL is away instead of
    // hanging: knex waits 60 s for a pooled connection and node-postgres for ever on a connect.
    driverOptions: {
      acquireConnectionTimeout: 4_000,
      connection: { connectionTimeoutMillis: 1_500 },
      // knex writes its warnings to the console; they belong in the service's log with everything else.
      // The usual one is the pool dropping a connection that RawTransaction closed on purpose.
      log: {
        warn: (message: unknown) => knexLogger.warn(message),
        error: (message: unknown) => knexLogger.error(message),
        deprecate: (method: string, alternative: string) => knexLogger.warn(`${method} is deprecated, use ${alternative}`),
        debug: (message: unknown) => knexLogger.debug(message),
      },
    },
    // import_changes is written and read by raw SQL only (a table without a primary key, for speed).
    schemaGenerator: { skipTables: ['import_changes'] },
    migrations: {
      tableName: 'schema_migrations',
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
      // The check compares entities with the schema the migrations really build, not with a snapshot file.
      snapshot: false,
      emit: 'ts',
      silent: true,
      path: 'migrations',
    },
  };
}
