import { Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { migrations } from '../../migrations';

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
