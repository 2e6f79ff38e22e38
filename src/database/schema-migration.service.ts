import { MikroORM } from '@mikro-orm/core';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';

/** Arbitrary constant shared by every process of this service, so only one migrates at a time. */
const MIGRATION_LOCK_KEY = 727_460_001;

/**
 * Applies pending migrations at start-up. Several API and worker processes may start together,
 * so the work runs under a PostgreSQL advisory lock held on a connection of its own.
 */
@Injectable()
export class SchemaMigrationService implements OnModuleInit {
  private readonly logger = new Logger(SchemaMigrationService.name);

  constructor(private readonly orm: MikroORM) {}

  async onModuleInit(): Promise<void> {
    const lock = new Client({ connectionString: this.orm.config.get('clientUrl') });
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await this.orm.getMigrator().up();
      if (applied.length > 0) this.logger.log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
    } finally {
      await lock.end();
    }
  }
}
