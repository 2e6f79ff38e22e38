import { escapeIdentifier, type PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createGzip, gzipSync } from 'node:zlib';
import { ContentDigest } from '../common/stream/content-digest';
import { TAR_END, tarHeader, tarPadding } from './backup-archive';
import { BackupStore } from './backup-store';
import { BACKUP_TABLES, BackupManifest, BackupPart, BackupTable } from './backup.types';

/**
 * Fastest deflate: PostgreSQL writes COPY text faster than deflate at its default level reads it,
 * and a backup is meant to be taken often (see docs/backups.md for the measured sizes and times).
 */
const COMPRESSION_LEVEL = zlib.Z_BEST_SPEED;
/** Columns a backup leaves out unless asked: they hold secrets. */
const SECRET_COLUMNS: Partial<Record<BackupTable, string>> = { users: 'password_hash' };

/** Runs stream work that a cancellation can stop through the signal; its error is what it throws. */
export type CancellableWork = <T>(work: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** The last migration applied: a backup restores only into a database at the same one. */
export async function schemaVersionOf(client: PoolClient): Promise<string> {
  const { rows } = await client.query<{ name: string }>('select name from schema_migrations order by id desc limit 1');
  if (rows.length === 0) throw new Error('The database has no applied migration');
  return rows[0].name;
}

/** A table's columns in their order, as COPY without a column list would write them. */
export async function columnsOf(client: PoolClient, table: BackupTable): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    'select attname as name from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum',
    [table],
  );
  return rows.map((row) => row.name);
}

export function copyColumnList(columns: readonly string[]): string {
  return columns.map((column) => escapeIdentifier(column)).join(', ');
}

/**
 * Copies every backup table, in the caller's snapshot, into its own gzip file under BACKUP_DIR,
 * taking the size and sha256 of the uncompressed text on the way. PostgreSQL formats the rows
 * (`COPY … TO STDOUT`) while this process compresses them: the two run on different cores.
 */
export async function copyTablesOut(
  client: PoolClient,
  store: BackupStore,
  backupId: string,
  includePasswordHashes: boolean,
  cancellable: CancellableWork,
  onPart: (part: BackupPart) => Promise<void>,
): Promise<BackupPart[]> {
  const parts: BackupPart[] = [];
  for (const table of BACKUP_TABLES) {
    const columns = (await columnsOf(client, table)).filter((column) => includePasswordHashes || SECRET_COLUMNS[table] !== column);
    const file = `${table}.copy`;
    const digest = new ContentDigest();
    const copy = client.query(copyTo(`copy ${escapeIdentifier(table)} (${copyColumnList(columns)}) to stdout`));
    await cancellable((signal) =>
      pipeline(copy, digest, createGzip({ level: COMPRESSION_LEVEL }), createWriteStream(store.partPathOf(backupId, file)), { signal }),
    );
    const part: BackupPart = { table, file, columns, rowCount: copy.rowCount, sizeBytes: digest.size, sha256: digest.sha256() };
    parts.push(part);
    await onPart(part);
  }
  return parts;
}

async function write(sink: Writable, chunk: Buffer): Promise<void> {
  if (!sink.write(chunk)) await once(sink, 'drain');
}

/**
 * Writes the archive `<id>.tar.gz.partial`: a tar of `manifest.json` and the parts, compressed.
 * The parts are already compressed, each as a gzip member; a gzip file may hold several members
 * one after the other, which decompress as the concatenation of their contents. So the archive
 * is the members of the tar headers and paddings between the parts' own members, copied as they
 * are: nothing is compressed twice, and `tar xzf` reads the result. Returns its size and sha256.
 */
export async function writeArchive(store: BackupStore, manifest: BackupManifest): Promise<{ path: string; sizeBytes: number; sha256: string }> {
  const path = `${store.archivePathOf(manifest.id)}.partial`;
  const createdAt = new Date(manifest.createdAt);
  const digest = new ContentDigest();
  const written = pipeline(digest, createWriteStream(path));
  try {
    const manifestText = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await write(digest, gzipSync(Buffer.concat([tarHeader('manifest.json', manifestText.length, createdAt), manifestText, tarPadding(manifestText.length)])));
    for (const part of manifest.parts) {
      await write(digest, gzipSync(tarHeader(part.file, part.sizeBytes, createdAt)));
      for await (const chunk of createReadStream(store.partPathOf(manifest.id, part.file))) await write(digest, chunk as Buffer);
      await write(digest, gzipSync(tarPadding(part.sizeBytes)));
    }
    await write(digest, gzipSync(TAR_END));
    digest.end();
    await written;
  } catch (error) {
    digest.destroy();
    await written.catch(() => undefined);
    throw error;
  }
  return { path, sizeBytes: digest.size, sha256: digest.sha256() };
}
