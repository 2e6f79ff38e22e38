import { Client } from 'pg';

/** Splits a connection URL into the database name and a URL of the `postgres` maintenance database. */
export function maintenanceTarget(databaseUrl: string): { databaseName: string; maintenanceUrl: string } {
  const url = new URL(databaseUrl);
  const databaseName = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (databaseName === '') throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  return { databaseName, maintenanceUrl: url.toString() };
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates the configured database when it does not exist yet; a fresh machine needs no manual step. */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const { databaseName, maintenanceUrl } = maintenanceTarget(databaseUrl);
  const client = new Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (existing.rowCount !== 0) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(databaseName)}`);
    } catch (error) {
      // Another process may have created it between the check and the create.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { databaseName, maintenanceUrl } = maintenanceTarget(databaseUrl);
  const client = new Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(databaseName)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
