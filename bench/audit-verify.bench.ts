/**
 * Audit chain verification benchmark (not a test): `npm run bench:audit-verify`.
 *
 * Seeds 1 000 000 chained audit rows (the insert trigger hashes each), writes a signed checkpoint,
 * then times an `audit_verify` job over the whole chain, from POST /api/v1/audit/verify to the
 * job's end, against a baseline measured in the same run: PostgreSQL alone recomputing every row's
 * hash in one query (what the trigger computes, without leaving the database). Uses its own
 * database (sms_bench_audit_verify), dropped at the end.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { createHttpApp } from '../src/app.factory';
import { AuditCheckpointService } from '../src/audit/audit-checkpoint.service';
import { parseEnvironment } from '../src/config/environment';
import { dropDatabase } from '../src/database/ensure-database';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sms_bench_audit_verify';
const ADMIN = { email: 'bench-admin@school.example', password: 'bench-admin-password' };

interface FinishedJob {
  status: string;
  result: { data: { valid: boolean; rowsChecked: number; checkpointsChecked: number; failure: unknown } } | null;
}

async function main(): Promise<void> {
  await dropDatabase(DATABASE_URL);
  const config = parseEnvironment({
    NODE_ENV: 'test',
    DATABASE_URL,
    REDIS_KEY_PREFIX: `bench:${process.pid}:`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_PER_USER_PER_MINUTE: '1000000',
  });
  const app = await createHttpApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = await app.getUrl();
  const database = new Client({ connectionString: DATABASE_URL });
  await database.connect();
  try {
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };

    let started = performance.now();
    await database.query(
      `insert into audit_logs (user_id, email, action, resource, resource_id, ip_address, peer_address, user_agent, request_id, success, status_code, details)
       select md5('user' || g % 200)::uuid, 'user' || g % 200 || '@school.example', 'update', 'student', (g % 50000)::text, '203.0.113.7', '10.0.0.2',
              'Mozilla/5.0 bench', 'bench-' || g, true, 200, jsonb_build_object('fields', jsonb_build_array('email', 'studyYear'))
       from generate_series(1, $1) as g`,
      [ROWS],
    );
    const seedSeconds = (performance.now() - started) / 1000;
    console.log(`Seeded ${ROWS.toLocaleString('en')} chained rows in ${seedSeconds.toFixed(1)} s (${Math.round(ROWS / seedSeconds).toLocaleString('en')} rows/s, hashed by the insert trigger)`);
    await database.query('vacuum analyze audit_logs');
    await app.get(AuditCheckpointService).checkpoint();

    started = performance.now();
    const { rows: baseline } = await database.query<{ modified: string }>(
      `select count(*) filter (where encode(sha256(convert_to(audit_logs_canonical(a), 'UTF8')), 'hex') <> a.hash) as modified from audit_logs a`,
    );
    const baselineSeconds = (performance.now() - started) / 1000;
    if (baseline[0].modified !== '0') throw new Error(`The baseline found ${baseline[0].modified} modified rows`);

    started = performance.now();
    const response = await fetch(`${baseUrl}/api/v1/audit/verify`, { method: 'POST', headers, body: '{}' });
    const { id } = (await response.json()) as { id: string };
    let job: FinishedJob;
    for (;;) {
      job = (await (await fetch(`${baseUrl}/api/v1/jobs/${id}`, { headers })).json()) as FinishedJob;
      if (['completed', 'failed', 'cancelled'].includes(job.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const data = job.result?.data;
    console.log(`| rows | checkpoints | verdict | seconds | rows/s | PostgreSQL alone, seconds | job ÷ PostgreSQL alone |\n|---:|---:|---|---:|---:|---:|---:|`);
    console.log(
      `| ${data?.rowsChecked} | ${data?.checkpointsChecked} | ${data?.valid === true ? 'valid' : JSON.stringify(data?.failure ?? job.status)} | ${seconds.toFixed(2)} | ` +
        `${Math.round((data?.rowsChecked ?? 0) / seconds).toLocaleString('en')} | ${baselineSeconds.toFixed(2)} | ${(seconds / baselineSeconds).toFixed(2)}× |`,
    );
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
