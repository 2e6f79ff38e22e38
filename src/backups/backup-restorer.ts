import { escapeIdentifier, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createReadStream } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { finished, pipeline } from 'node:stream/promises';
import { isDeepStrictEqual } from 'node:util';
import { createGunzip } from 'node:zlib';
import { hashPassword } from '../auth/password-hasher';
import { ContentDigest } from '../common/stream/content-digest';
import { BackupCorruptError, BackupRefusedError, TarEntry, TarEntrySink, TarReader } from './backup-archive';
import { BackupStore, manifestOf } from './backup-store';
import { columnsOf, copyColumnList, type CancellableWork } from './backup-writer';
import { BackupPart, BackupRecord, BackupTable, countsOf } from './backup.types';

/** Users are merged from here, not truncated: sessions hang on them (see mergeUsers). */
const STAGED_USERS = 'restore_users';
/** A restore that cannot lock the tables within this gives up rather than queue every request behind it. */
const LOCK_TIMEOUT = '30s';
/** The largest manifest.json read; a real one is a few kilobytes. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** zlib's errors (a damaged deflate stream, a bad header) carry a `Z_…` code. */
function isZlibError(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('Z_');
}

/**
 * Replaces students, courses, enrollments and users with a backup's rows, inside the caller's
 * transaction, checking every part's sha256 and row count and the archive's sha256 on the way:
 * a mismatch throws before anything is committed. The audit trail is not touched.
 *
 * Students, courses and enrollments are truncated and copied in. Users are merged instead:
 * deleting a user deletes their sessions, so the users who are in the backup keep theirs.
 * Sequences never go back, so an id is never used twice and the audit trail's ids stay unambiguous.
 */
export async function restoreInto(
  client: PoolClient,
  store: BackupStore,
  record: BackupRecord,
  cancellable: CancellableWork,
  onPart: (part: BackupPart) => Promise<void>,
): Promise<Record<BackupTable, number>> {
  await client.query(`set local lock_timeout = '${LOCK_TIMEOUT}'`);
  await client.query('truncate enrollments, students, courses');
  await client.query(`create temporary table ${STAGED_USERS} on commit drop as select * from users with no data`);

  const expected = ['manifest.json', ...record.parts.map((part) => part.file)];
  const restored: BackupPart[] = [];
  let position = 0;
  const open = async (entry: TarEntry): Promise<TarEntrySink> => {
    position += 1;
    if (entry.name !== expected[position - 1]) throw new BackupCorruptError(`Unexpected archive entry ${entry.name}`);
    if (position === 1) return readManifest(entry);
    const part = record.parts[position - 2];
    if (entry.size !== part.sizeBytes) throw new BackupCorruptError(`The size of ${part.file} differs from the manifest's`);
    return copyPart(client, part, async () => {
      restored.push(part);
      await onPart(part);
    });
  };
  const readManifest = (entry: TarEntry): TarEntrySink => {
    if (entry.size > MAX_MANIFEST_BYTES) throw new BackupCorruptError('The archive manifest is too large');
    const chunks: Buffer[] = [];
    return {
      write: async (chunk) => {
        chunks.push(chunk);
      },
      end: async () => {
        let inner: unknown;
        try {
          inner = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          throw new BackupCorruptError('The archive manifest is not valid JSON');
        }
        if (!isDeepStrictEqual(inner, manifestOf(record))) throw new BackupCorruptError('The archive manifest differs from the manifest file');
      },
    };
  };

  const file = new ContentDigest();
  try {
    await cancellable((signal) => pipeline(createReadStream(store.archivePathOf(record.id)), file, createGunzip(), new TarReader(open), { signal }));
  } catch (error) {
    if (isZlibError(error)) throw new BackupCorruptError(`The archive of backup ${record.id} cannot be decompressed`);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupCorruptError(`The archive of backup ${record.id} is missing`);
    throw error;
  }
  if (file.sha256() !== record.archive.sha256 || restored.length !== record.parts.length) {
    throw new BackupCorruptError(`The archive of backup ${record.id} does not match its manifest`);
  }

  await mergeUsers(client, record.parts.find((part) => part.table === 'users')!);
  const { rows } = await client.query<{ present: boolean }>(`select exists (select 1 from users where role = 'admin' and is_active) as present`);
  if (!rows[0].present) throw new BackupRefusedError('backup_without_admin', 'The backup has no active admin: restoring it would leave nobody able to administer the service');
  for (const table of ['courses', 'students', 'enrollments'] as const) await keepSequenceAhead(client, table);
  return countsOf(record.parts);
}

/** Waits until a COPY stream takes more bytes or has failed (its error is kept by the caller's listener). */
function drainedOrFailed(copy: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const settle = (): void => {
      copy.off('drain', settle);
      copy.off('error', settle);
      resolve();
    };
    copy.on('drain', settle);
    copy.on('error', settle);
  });
}

/**
 * Streams one part into its table (users into the staging table) with COPY, checking its sha256 and
 * row count at the end. A COPY that PostgreSQL refuses part-way is read to the part's end all the
 * same: a part whose bytes differ from the manifest's is corrupt, whatever the row it failed on.
 */
function copyPart(client: PoolClient, part: BackupPart, done: () => Promise<void>): TarEntrySink {
  const target = part.table === 'users' ? STAGED_USERS : escapeIdentifier(part.table);
  const copy = client.query(copyFrom(`copy ${target} (${copyColumnList(part.columns)}) from stdin`));
  let failure: Error | undefined;
  // The COPY can fail between two writes (a row PostgreSQL refuses); the writes after it only hash.
  copy.on('error', (error: Error) => (failure = error));
  const hash = createHash('sha256');
  const corrupt = (): BackupCorruptError => new BackupCorruptError(`The part ${part.file} does not match its sha256 or row count`);
  return {
    write: async (chunk) => {
      hash.update(chunk);
      if (failure === undefined && !copy.write(chunk)) await drainedOrFailed(copy);
    },
    end: async () => {
      const matches = hash.digest('hex') === part.sha256;
      if (failure === undefined) {
        copy.end();
        // PostgreSQL may refuse a row only once it has the last bytes: the failure then comes here.
        await finished(copy).catch((error: Error) => (failure = error));
      }
      if (!matches || (failure === undefined && copy.rowCount !== part.rowCount)) throw corrupt();
      if (failure !== undefined) throw failure;
      await done();
    },
  };
}

/**
 * Makes users what the staging table holds: users not in it are deleted (their sessions with
 * them), the others updated or inserted. Emails are first moved out of the way, so that two users
 * who swapped emails since the backup do not collide on the unique email. A backup taken without
 * password hashes keeps the current hash of each user it holds, and gives a user who no longer
 * exists the hash of a random secret: an admin sets their password.
 */
async function mergeUsers(client: PoolClient, part: BackupPart): Promise<void> {
  const columns = await columnsOf(client, 'users');
  const unusableHash = part.columns.includes('password_hash') ? null : await hashPassword(randomBytes(32).toString('base64'));
  const values = columns.map((column) =>
    column === 'password_hash' && unusableHash !== null ? 'coalesce(current.password_hash, $1)' : `staged.${escapeIdentifier(column)}`,
  );
  const updates = columns.filter((column) => column !== 'id').map((column) => `${escapeIdentifier(column)} = excluded.${escapeIdentifier(column)}`);
  await client.query(`delete from users where id not in (select id from ${STAGED_USERS})`);
  await client.query(`update users set email = id::text || '@restoring.invalid' where id in (select id from ${STAGED_USERS})`);
  await client.query(
    `insert into users (${copyColumnList(columns)}) select ${values.join(', ')} from ${STAGED_USERS} staged left join users current on current.id = staged.id
     on conflict (id) do update set ${updates.join(', ')}`,
    unusableHash === null ? [] : [unusableHash],
  );
}

/** Sets the id sequence to the larger of its value and the highest restored id. */
async function keepSequenceAhead(client: PoolClient, table: 'courses' | 'students' | 'enrollments'): Promise<void> {
  const { rows } = await client.query<{ sequence: string }>(`select pg_get_serial_sequence($1, 'id') as sequence`, [table]);
  const sequence = rows[0].sequence;
  await client.query(`select setval($1::regclass, greatest((select coalesce(max(id), 1) from ${escapeIdentifier(table)}), (select last_value from ${sequence})))`, [sequence]);
}
