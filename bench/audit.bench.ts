/**
 * Audit benchmark (not a test): `npm run bench:audit`.
 *
 * 1. Query latency: seeds 1 000 000 audit rows, then measures p50/p95 of GET /api/v1/audit over
 *    HTTP for the filters people use, and prints which indexes PostgreSQL's plans use.
 * 2. Overhead: p50 of an @Audited route against the same route without @Audited, interleaved in
 *    the same run.
 * Uses its own database (sms_bench_audit), dropped at the end.
 */
import 'reflect-metadata';
import { Controller, Module, Post } from '@nestjs/common';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { createHttpApp } from '../src/app.factory';
import { Audited } from '../src/audit/audited.decorator';
import { AuditAction, AuditResource } from '../src/audit/audit.enums';
import { Authenticated } from '../src/auth/auth.decorators';
import { parseEnvironment } from '../src/config/environment';
import { dropDatabase } from '../src/database/ensure-database';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sms_bench_audit';
const ADMIN = { email: 'bench-admin@school.example', password: 'bench-admin-password' };

@Controller('bench')
@Authenticated()
class OverheadController {
  @Post('audited')
  @Audited({ action: AuditAction.Update, resource: AuditResource.System, resourceId: () => 'bench' })
  audited(): { ok: true } {
    return { ok: true };
  }

  @Post('plain')
  plain(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [OverheadController] })
class OverheadModule {}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

async function timeRequests(count: number, request: () => Promise<Response>): Promise<number[]> {
  const durations: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const response = await request();
    const body = await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${Buffer.from(body).toString()}`);
    durations.push(performance.now() - started);
  }
  return durations.sort((a, b) => a - b);
}

/** Every index an EXPLAIN plan touches. */
function indexesOf(plan: Record<string, unknown>): string[] {
  const own = typeof plan['Index Name'] === 'string' ? [plan['Index Name']] : [];
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [...own, ...children.flatMap(indexesOf)];
}

interface KnownRow {
  userId: string;
  action: string;
  resource: string;
  resourceId: string;
  requestId: string;
}

async function seed(database: Client): Promise<KnownRow> {
  const started = performance.now();
  // Server-side generation: 200 users, the real actions and resources, three months of timestamps.
  await database.query(`
    insert into audit_logs (user_id, email, action, resource, resource_id, ip_address, peer_address, user_agent, request_id, success, status_code, error_code, details, "timestamp")
    select u.id, 'user' || u.n || '@school.example',
           (array['login','logout','create','update','delete','bulk_import','bulk_export','role_change'])[1 + g % 8],
           (array['student','course','enrollment','user','session','audit_log'])[1 + (g / 8) % 6],
           (g % 50000)::text, '203.0.113.' || (g % 250), '10.0.0.2', 'Mozilla/5.0 bench', 'bench-' || g,
           g % 20 <> 0, case when g % 20 = 0 then 409 else 200 end, case when g % 20 = 0 then 'conflict' end,
           jsonb_build_object('fields', jsonb_build_array('email')),
           now() - make_interval(secs => (g::double precision / $1) * 90 * 86400)
    from generate_series(1, $1) as g
    join lateral (select n, md5('user' || n)::uuid as id from (select 1 + g % 200 as n) as pick) as u on true`, [ROWS]);
  await database.query('vacuum analyze audit_logs');
  const seconds = (performance.now() - started) / 1000;
  console.log(`Seeded ${ROWS.toLocaleString('en')} rows in ${seconds.toFixed(1)} s (${Math.round(ROWS / seconds).toLocaleString('en')} rows/s)`);
  const { rows } = await database.query(
    `select user_id as "userId", action, resource, resource_id as "resourceId", request_id as "requestId" from audit_logs where request_id = 'bench-777'`,
  );
  return rows[0] as KnownRow;
}

async function main(): Promise<void> {
  await dropDatabase(DATABASE_URL);
  const config = parseEnvironment({
    NODE_ENV: 'test',
    DATABASE_URL,
    REDIS_KEY_PREFIX: `bench:${process.pid}:`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_USER_PER_MINUTE: '1000000',
  });
  const app = await createHttpApp(config, { extraModules: [OverheadModule] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = await app.getUrl();
  const database = new Client({ connectionString: DATABASE_URL });
  await database.connect();
  try {
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const authorization = { authorization: `Bearer ${accessToken}` };
    const known = await seed(database);

    const day = new Date(Date.now() - 30 * 86400_000);
    const dayAfter = new Date(day.getTime() + 86400_000);
    const scenarios: [string, Record<string, string>, string][] = [
      ['by user', { userId: known.userId }, `user_id = '${known.userId}'`],
      ['by user + action', { userId: known.userId, action: known.action }, `user_id = '${known.userId}' and action = '${known.action}'`],
      ['by resource + action', { resource: known.resource, action: known.action }, `resource = '${known.resource}' and action = '${known.action}'`],
      [
        'by resource + action + resourceId',
        { resource: known.resource, action: known.action, resourceId: known.resourceId },
        `resource = '${known.resource}' and action = '${known.action}' and resource_id = '${known.resourceId}'`,
      ],
      ['by time window (1 day)', { startDate: day.toISOString(), endDate: dayAfter.toISOString() }, `"timestamp" >= '${day.toISOString()}' and "timestamp" <= '${dayAfter.toISOString()}'`],
      ['by request id', { requestId: known.requestId }, `request_id = '${known.requestId}'`],
      ['failed sign-ins', { action: 'login', success: 'false' }, `action = 'login' and success = false`],
      ['page 100 of everything', { offset: '4950' }, 'true'],
      [
        'page 100 of resource + action',
        { resource: known.resource, action: known.action, offset: '4950' },
        `resource = '${known.resource}' and action = '${known.action}'`,
      ],
    ];

    console.log(`\nGET /api/v1/audit over HTTP, ${SAMPLES} requests each (after 20 warm-up), limit 50:`);
    console.log('| filters | total | p50 ms | p95 ms | indexes in the plans (rows; count) |');
    console.log('|---|---:|---:|---:|---|');
    for (const [name, query, where] of scenarios) {
      const url = `${baseUrl}/api/v1/audit?${new URLSearchParams({ limit: '50', ...query })}`;
      await timeRequests(20, () => fetch(url, { headers: authorization }));
      const durations = await timeRequests(SAMPLES, () => fetch(url, { headers: authorization }));
      const total = ((await (await fetch(url, { headers: authorization })).json()) as { total: number }).total;
      const offset = query.offset ?? '0';
      const [rowsPlan, countPlan] = await Promise.all(
        [
          `select * from audit_logs where ${where} order by "timestamp" desc, id desc limit 50 offset ${offset}`,
          `select count(*) from audit_logs where ${where}`,
        ].map(async (sql) => {
          const { rows } = await database.query(`explain (format json) ${sql}`);
          const used = [...new Set(indexesOf(rows[0]['QUERY PLAN'][0].Plan))];
          return used.length === 0 ? 'seq scan' : used.join(', ');
        }),
      );
      // Without filters the service reads the trigger-kept total instead of counting.
      const countSource = where === 'true' ? 'audit_log_total (no count)' : countPlan;
      console.log(`| ${name} | ${total} | ${percentile(durations, 0.5).toFixed(1)} | ${percentile(durations, 0.95).toFixed(1)} | ${rowsPlan}; ${countSource} |`);
    }

    console.log('\nOverhead of @Audited: POST with and without it, interleaved, 2000 requests each:');
    const audited: number[] = [];
    const plain: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      audited.push(...(await timeRequests(100, () => fetch(`${baseUrl}/api/v1/bench/audited`, { method: 'POST', headers: authorization }))));
      plain.push(...(await timeRequests(100, () => fetch(`${baseUrl}/api/v1/bench/plain`, { method: 'POST', headers: authorization }))));
    }
    audited.sort((a, b) => a - b);
    plain.sort((a, b) => a - b);
    const [auditedP50, plainP50] = [percentile(audited, 0.5), percentile(plain, 0.5)];
    console.log(`| route | p50 ms | p95 ms |\n|---|---:|---:|`);
    console.log(`| unaudited | ${plainP50.toFixed(2)} | ${percentile(plain, 0.95).toFixed(2)} |`);
    console.log(`| audited | ${auditedP50.toFixed(2)} | ${percentile(audited, 0.95).toFixed(2)} |`);
    console.log(`Added by auditing at p50: ${(auditedP50 - plainP50).toFixed(2)} ms (${(auditedP50 / plainP50).toFixed(2)}x the unaudited route)`);
  } finally {
    await database.end();
    await app.close();
    await dropDatabase(DATABASE_URL);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
