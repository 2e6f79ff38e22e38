import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { withRawTransaction } from '../../src/database/raw-transaction';
import { ImportPreviewStatus } from '../../src/imports/import-options';
import { ImportPreviewRepository } from '../../src/imports/import-preview.repository';
import { startTestApp, TestApp } from './support/test-app';

/** More than the pool holds (10): a transaction that kept its connection would make these wait and time out. */
const MORE_THAN_THE_POOL = 12;

describe('import previews: state transitions and raw transactions', () => {
  let t: TestApp;
  let database: Client;
  let previews: ImportPreviewRepository;
  let em: EntityManager;

  beforeAll(async () => {
    t = await startTestApp('import_preview_repository');
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
    previews = t.app.get(ImportPreviewRepository);
    em = t.app.get(EntityManager);
  });

  afterAll(async () => {
    await database.end();
    await t.close();
  });

  /** A preview row as a request would leave it; `expiresIn` in hours, negative for one past its expiry. */
  const insert = async (status: ImportPreviewStatus, expiresIn = 24): Promise<string> => {
    const id = randomUUID();
    await database.query(
      `insert into import_previews (id, created_by, entity, mode, on_invalid, file_name, file_size, sha256, status, can_commit, expires_at)
       values ($1, $2, 'students', 'upsert', 'abort', 'roster.csv', 10, $3, $4, true, now() + make_interval(hours => $5))`,
      [id, randomUUID(), 'a'.repeat(64), status, expiresIn],
    );
    return id;
  };
  const statusOf = async (id: string): Promise<string | undefined> =>
    (await database.query<{ status: string }>('select status from import_previews where id = $1', [id])).rows[0]?.status;

  it('lets exactly one of two concurrent commits claim a ready preview', async () => {
    const id = await insert(ImportPreviewStatus.Ready);
    const claims = await Promise.all([previews.claimForCommit(id), previews.claimForCommit(id)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await statusOf(id)).toBe(ImportPreviewStatus.Committing);
    expect(await previews.claimForCommit(id)).toBe(false);
  });

  it('does not claim a preview that is not ready', async () => {
    const id = await insert(ImportPreviewStatus.Failed);
    expect(await previews.claimForCommit(id)).toBe(false);
    expect(await statusOf(id)).toBe(ImportPreviewStatus.Failed);
  });

  it('attaches the job to every preview it commits', async () => {
    const ids = [await insert(ImportPreviewStatus.Committing), await insert(ImportPreviewStatus.Committing)];
    const jobId = randomUUID();
    await previews.attachJob(ids, jobId);
    const { rows } = await database.query<{ job_id: string }>('select job_id from import_previews where id = any($1::uuid[])', [ids]);
    expect(rows.map((row) => row.job_id)).toEqual([jobId, jobId]);
  });

  it('marks failed only the previews still committing', async () => {
    const committing = await insert(ImportPreviewStatus.Committing);
    const committed = await insert(ImportPreviewStatus.Committed);
    const ready = await insert(ImportPreviewStatus.Ready);
    await previews.markFailed([committing, committed, ready]);
    expect([await statusOf(committing), await statusOf(committed), await statusOf(ready)]).toEqual([
      ImportPreviewStatus.Failed,
      ImportPreviewStatus.Committed,
      ImportPreviewStatus.Ready,
    ]);
  });

  it('sweeps expired previews, keeping one a job may still commit for a day', async () => {
    const fresh = await insert(ImportPreviewStatus.Ready);
    const expired = await insert(ImportPreviewStatus.Ready, -1);
    const committingLately = await insert(ImportPreviewStatus.Committing, -1);
    const committingLongAgo = await insert(ImportPreviewStatus.Committing, -25);
    const removed = await previews.sweepExpired();
    expect(removed.sort()).toEqual([expired, committingLongAgo].sort());
    expect(await statusOf(fresh)).toBe(ImportPreviewStatus.Ready);
    expect(await statusOf(committingLately)).toBe(ImportPreviewStatus.Committing);
  });

  it('records findings and settles in the caller transaction, and a rollback takes them back', async () => {
    const id = await insert(ImportPreviewStatus.Committing);
    const findings = { summary: null, canCommit: false, detected: { format: 'csv' }, planDigest: 'digest', stageSha256: null };
    await expect(
      withRawTransaction(em, async (client) => {
        await previews.recordFindings(client, id, findings);
        await previews.settleInTransaction(client, [id], ImportPreviewStatus.Committed);
        throw new Error('the job was cancelled');
      }),
    ).rejects.toThrow('the job was cancelled');
    const before = await database.query('select status, plan_digest from import_previews where id = $1', [id]);
    expect(before.rows[0]).toEqual({ status: ImportPreviewStatus.Committing, plan_digest: null });

    await withRawTransaction(em, async (client) => {
      await previews.recordFindings(client, id, findings);
      await previews.settleInTransaction(client, [id], ImportPreviewStatus.Committed);
    });
    const after = await database.query('select status, plan_digest, detected from import_previews where id = $1', [id]);
    expect(after.rows[0]).toEqual({ status: ImportPreviewStatus.Committed, plan_digest: 'digest', detected: { format: 'csv' } });
  });

  it('gives every connection back, whether the work commits, throws, or loses its connection', async () => {
    for (let attempt = 0; attempt < MORE_THAN_THE_POOL; attempt++) {
      await expect(withRawTransaction(em, () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
      // The connection dies under the work: its ROLLBACK fails, so it is closed rather than pooled.
      await expect(withRawTransaction(em, (client) => client.query('select pg_terminate_backend(pg_backend_pid())'))).rejects.toThrow();
    }
    const answers = await Promise.all(
      Array.from({ length: MORE_THAN_THE_POOL }, () => withRawTransaction(em, async (client) => (await client.query<{ one: number }>('select 1 as one')).rows[0].one)),
    );
    expect(answers).toEqual(Array.from({ length: MORE_THAN_THE_POOL }, () => 1));
  });
});
