import { Controller, Module, Post, Query } from '@nestjs/common';
import Redis from 'ioredis';
import { Client } from 'pg';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditCheckpointService } from '../../src/audit/audit-checkpoint.service';
import { AuditRetentionService } from '../../src/audit/audit-retention.service';
import { AuditAction, AuditResource } from '../../src/audit/audit.enums';
import { AuditModule } from '../../src/audit/audit.module';
import { AuditService } from '../../src/audit/audit.service';
import { Authenticated } from '../../src/auth/auth.decorators';
import { verifyAuditCommand } from '../../src/cli/verify-audit.command';
import { startTestApp, TestApp } from './support/test-app';
import { waitForJob } from './support/imports';

const ROWS_PER_PROCESS = Number(process.env.AUDIT_CHAIN_ROWS_PER_PROCESS ?? 50_000);

/** Writes `count` audit rows through AuditService, 10 at a time (the pool's size): a fast way to fill the trail. */
@Controller('test-only')
@Authenticated()
class AuditBurstController {
  constructor(private readonly audit: AuditService) {}

  @Post('audit-burst')
  async burst(@Query('count') count: string, @Query('tag') tag: string): Promise<{ written: number }> {
    const total = Number(count);
    let next = 0;
    const writer = async (): Promise<void> => {
      while (next < total) {
        const index = (next += 1);
        await this.audit.log({
          action: AuditAction.Update,
          resource: AuditResource.Student,
          resourceId: String(index),
          requestId: `${tag}-${index}`,
          userAgent: index % 7 === 0 ? '=formula' : 'burst',
          email: index % 11 === 0 ? '' : null,
          success: index % 5 !== 0,
          statusCode: 200,
          details: { fields: ['email'], index, ratio: index / 3, note: 'Ελληνικά "quoted"\n' },
        });
      }
    };
    await Promise.all(Array.from({ length: 10 }, writer));
    return { written: total };
  }
}

@Module({ imports: [AuditModule], controllers: [AuditBurstController] })
class AuditBurstModule {}

interface Verdict {
  valid: boolean;
  rowsChecked: number;
  checkpointsChecked: number;
  witness: string;
  failure: { kind: string; rowId: number; seq: number } | null;
}

describe('audit hash chain', () => {
  let t: TestApp;
  let database: Client;

  const verify = async (body: Record<string, unknown> = {}): Promise<Verdict> => {
    const response = await fetch(`${t.baseUrl}/api/v1/audit/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toMatch(/^\/api\/v1\/jobs\//);
    const job = await waitForJob(t.baseUrl, t.adminToken, ((await response.json()) as { id: string }).id, undefined, 120_000);
    expect(job.status).toBe('completed');
    return job.result!.data as unknown as Verdict;
  };
  /** Runs SQL with the triggers off, as a superuser covering their tracks would. */
  const tamper = async (sql: string, parameters: unknown[] = []): Promise<void> => {
    await database.query('begin');
    try {
      await database.query('set local session_replication_role = replica');
      await database.query(sql, parameters);
      await database.query('commit');
    } catch (error) {
      await database.query('rollback');
      throw error;
    }
  };
  const newestSeq = async (): Promise<number> => Number((await database.query('select max(seq) as seq from audit_logs')).rows[0].seq);
  const checkpoint = () => t.app.get(AuditCheckpointService).checkpoint();

  beforeAll(async () => {
    t = await startTestApp('audit_chain', {}, { extraModules: [AuditBurstModule] });
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await t.close();
  });

  it('chains 100 000 rows written by two API processes at once, without gaps, and verifies them', async () => {
    const peer = await t.startPeer();
    try {
      const burst = (baseUrl: string, tag: string) =>
        fetch(`${baseUrl}/api/v1/test-only/audit-burst?count=${ROWS_PER_PROCESS}&tag=${tag}`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } });
      const answers = await Promise.all([burst(t.baseUrl, 'one'), burst(peer.baseUrl, 'two')]);
      expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
    } finally {
      await peer.close();
    }
    const { rows } = await database.query('select count(*)::int as count, min(seq)::int as first, max(seq)::int as last from audit_logs');
    expect(rows[0]).toEqual({ count: rows[0].last, first: 1, last: rows[0].count });
    expect(rows[0].count).toBeGreaterThan(2 * ROWS_PER_PROCESS);
    await checkpoint();
    const verdict = await verify();
    expect(verdict).toMatchObject({ valid: true, failure: null, witness: 'redis' });
    // The verify request's own row may be chained before the job reads.
    expect(verdict.rowsChecked).toBeGreaterThanOrEqual(rows[0].count);
    expect(verdict.checkpointsChecked).toBeGreaterThanOrEqual(Math.floor(ROWS_PER_PROCESS / 1000));
  }, 600_000);

  it('names a row edited behind the triggers: row_modified', async () => {
    const [row] = (await database.query('select id, email from audit_logs where seq = 500')).rows;
    await tamper('update audit_logs set email = $1 where id = $2', ['intruder@school.example', row.id]);
    expect((await verify()).failure).toMatchObject({ kind: 'row_modified', rowId: Number(row.id), seq: 500 });
    await tamper('update audit_logs set email = $1 where id = $2', [row.email, row.id]);
    expect((await verify()).valid).toBe(true);
  }, 120_000);

  it('names the row after a deleted one: row_missing', async () => {
    const { rows } = await database.query('select * from audit_logs where seq in (700, 701) order by seq');
    await tamper('delete from audit_logs where seq = 700');
    expect((await verify()).failure).toMatchObject({ kind: 'row_missing', rowId: Number(rows[1].id), seq: 701 });
    await tamper('insert into audit_logs select * from json_populate_record(null::audit_logs, $1)', [JSON.stringify(rows[0])]);
    expect((await verify()).valid).toBe(true);
  }, 120_000);

  it('catches a checkpoint edited behind its trigger: checkpoint_signature_invalid', async () => {
    const { rows } = await database.query(`select id, hash from audit_checkpoints where kind = 'periodic' order by seq limit 1`);
    await tamper('update audit_checkpoints set hash = $1 where id = $2', ['0'.repeat(64), rows[0].id]);
    expect((await verify()).failure).toMatchObject({ kind: 'checkpoint_signature_invalid' });
    await tamper('update audit_checkpoints set hash = $1 where id = $2', [rows[0].hash, rows[0].id]);
  }, 120_000);

  it('catches the newest 10 rows deleted with their checkpoints and the head rewound: tail_truncated', async () => {
    const witness = (await checkpoint())!;
    const last = await newestSeq();
    expect(witness.seq).toBe(last);
    const [kept] = (await database.query('select seq, hash from audit_logs where seq = $1', [last - 10])).rows;
    await tamper('delete from audit_logs where seq > $1', [last - 10]);
    await tamper('delete from audit_checkpoints where seq > $1', [last - 10]);
    await database.query('update audit_chain_head set seq = $1, hash = $2 where id', [kept.seq, kept.hash]);

    // Redis kept the newest checkpoint, out of the database's reach.
    expect((await verify()).failure).toMatchObject({ kind: 'tail_truncated', rowId: witness.rowId, seq: witness.seq });
    // And so did the auditor who exported it.
    await t.app.get(AuditService).log({ action: AuditAction.Update, resource: AuditResource.Student, success: true });
    const redis = new Redis(t.redisUrl);
    try {
      await redis.del(`${t.redisKeyPrefix}audit:checkpoint:latest`);
    } finally {
      redis.disconnect();
    }
    expect((await verify()).failure).toBeNull();
    const supplied = await verify({ checkpoint: { ...witness, createdAt: new Date(witness.createdAt).toISOString() } });
    expect(supplied).toMatchObject({ witness: 'supplied', failure: { kind: 'tail_truncated', seq: witness.seq } });
  }, 120_000);
});

describe('audit hash chain after a retention purge, and the command that verifies an export', () => {
  let t: TestApp;
  let database: Client;
  let folder: string;

  beforeAll(async () => {
    t = await startTestApp('audit_chain_purge', { AUDIT_CHECKPOINT_ROWS: '7' });
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
    folder = await mkdtemp(join(tmpdir(), 'audit-verify-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
    await database.end();
    await t.close();
  });

  const download = async (path: string): Promise<string> => {
    const response = await fetch(`${t.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(response.status).toBe(200);
    return response.text();
  };

  it('keeps the remaining chain verifiable after a retention purge', async () => {
    await database.query(
      `insert into audit_logs (action, resource, success, request_id, "timestamp")
       select 'login', 'session', true, 'old-' || n, now() - make_interval(days => 100 + n) from generate_series(1, 20) as n`,
    );
    for (let index = 0; index < 30; index += 1) {
      await t.admin.POST('/api/v1/courses', { body: { courseCode: `PURGE${index}`, courseName: 'P', semester: 'A' }, headers: { 'x-request-id': `purge-${index}` } });
    }
    expect(await t.app.get(AuditRetentionService).purgeExpired()).toBe(20);
    const { rows } = await database.query(`select from_seq, seq from audit_checkpoints where kind = 'retention'`);
    expect(rows).toHaveLength(1);
    await t.app.get(AuditCheckpointService).checkpoint();

    const response = await fetch(`${t.baseUrl}/api/v1/audit/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const job = await waitForJob(t.baseUrl, t.adminToken, ((await response.json()) as { id: string }).id);
    expect(job.result?.data).toMatchObject({ valid: true, failure: null });
  });

  it('lists the checkpoints for auditors, and not for staff', async () => {
    const { token } = await t.userWithRole('auditor');
    const page = await fetch(`${t.baseUrl}/api/v1/audit/checkpoints?limit=2`, { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    const body = (await page.json()) as { items: { kind: string; signature: string }[]; total: number };
    expect(body.items).toHaveLength(2);
    expect(body.total).toBeGreaterThan(2);
    expect(body.items[0].signature).toMatch(/^[0-9a-f]{128}$/);
    const { token: staff } = await t.userWithRole('staff');
    expect((await fetch(`${t.baseUrl}/api/v1/audit/checkpoints`, { headers: { authorization: `Bearer ${staff}` } })).status).toBe(403);
    expect((await fetch(`${t.baseUrl}/api/v1/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${staff}` } })).status).toBe(403);
  });

  it.each(['ndjson', 'csv'])('verifies a %s export with its checkpoints, and catches one changed byte', async (format) => {
    // Checkpoints first: every row they vouch for is then in the export taken after them.
    const checkpoints = join(folder, 'checkpoints.ndjson');
    await writeFile(checkpoints, await download('/audit/checkpoints/export'));
    const file = join(folder, `audit.${format}`);
    await writeFile(file, await download(`/audit/export?format=${format}`));

    expect(await verifyAuditCommand(file, { checkpoints })).toMatchObject({ valid: true, failure: null });
    const [{ publicKey }] = (await download('/audit/checkpoints?limit=1').then((text) => JSON.parse(text) as { items: { publicKey: string }[] })).items;
    expect(await verifyAuditCommand(file, { checkpoints, publicKeys: [publicKey] })).toMatchObject({ valid: true, failure: null });
    expect((await verifyAuditCommand(file, { checkpoints, publicKeys: ['ab'.repeat(32)] })).failure).toMatchObject({ kind: 'checkpoint_signature_invalid' });

    const text = await readFile(file, 'utf8');
    const at = text.indexOf('purge-17') + 'purge-1'.length;
    await writeFile(file, `${text.slice(0, at)}x${text.slice(at + 1)}`);
    expect((await verifyAuditCommand(file, { checkpoints })).failure).toMatchObject({ kind: 'row_modified' });
  });
});
