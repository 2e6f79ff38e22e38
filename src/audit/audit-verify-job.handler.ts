import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobType, ProgressUnit } from '../jobs/job.enums';
import { sha256Hex } from './audit-chain';
import { ChainWalk, CheckpointWithId } from './audit-chain-verifier';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { ChainWitness } from './dto/audit-verify-job.dto';

const BATCH_SIZE = 10_000;
// The canonical text is built by this query, not by the stored audit_logs_canonical function the
// trigger uses: only PostgreSQL's own functions, schema-qualified so that no function a database
// user created can stand in for them. The expression is the migration's, so for an untouched row it
// gives the bytes the trigger hashed; the hash itself is recomputed here (canonicalRow is the same
// encoding in TypeScript, for exported files).
const ROWS_AFTER = `select id, seq, prev_hash, hash,
    pg_catalog.jsonb_build_array('sms-audit-1', seq, id, pg_catalog.to_char(pg_catalog.timezone('UTC', "timestamp"), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      user_id, email, action, resource, resource_id, ip_address, peer_address, user_agent, request_id,
      success, status_code, error_code, details, prev_hash)::text as canonical
  from audit_logs where seq > ? and seq <= ? order by seq limit ${BATCH_SIZE}`;

interface StoredRow {
  id: string;
  seq: string;
  prev_hash: string;
  hash: string;
  canonical: string;
}

/**
 * The `audit_verify` job: walks the chain in seq order from one repeatable-read snapshot,
 * recomputing every row's hash in this process (not trusting any function in the database), and
 * checks it against the signed checkpoints and a witness of its length.
 */
@Injectable()
export class AuditVerifyJobHandler implements OnModuleInit {
  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly orm: MikroORM,
    private readonly checkpoints: AuditCheckpointService,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobType.AuditVerify, async (execution) => {
      const { fromSeq, toSeq, checkpoint } = execution.payload;
      // Read before the snapshot, so that every row the witness vouches for is in it.
      const witness: CheckpointWithId | undefined = checkpoint === undefined ? await this.checkpoints.witness() : { ...checkpoint, fromSeq: checkpoint.fromSeq ?? null, id: null };
      const verdict = await (this.orm.em.fork({ useContext: false }) as EntityManager).transactional(
        async (em) => {
          const connection = em.getConnection();
          const context = em.getTransactionContext();
          const [head] = await connection.execute<{ seq: string }[]>('select seq from audit_chain_head where id', [], 'all', context);
          // Checkpoints from the same snapshot as the rows: one written after it would vouch for rows the walk cannot see.
          const walk = new ChainWalk({ checkpoints: await this.checkpoints.all(em), witness, fromStart: fromSeq === undefined, toSeq });
          const total = Math.max(0, Math.min(toSeq ?? Infinity, Number(head?.seq ?? 0)) - (fromSeq ?? 1) + 1);
          const batchAfter = (after: number) => connection.execute<StoredRow[]>(ROWS_AFTER, [after, toSeq ?? Number.MAX_SAFE_INTEGER], 'all', context);
          // The next batch is read while this one is hashed: the database and this process work at once.
          let next = batchAfter((fromSeq ?? 1) - 1);
          for (;;) {
            const rows = await next;
            const last = rows.at(-1);
            await execution.throwIfCancelled();
            await execution.reportProgress({ processed: walk.rowsChecked, total, unit: ProgressUnit.Rows, message: `Checked up to seq ${last?.seq ?? '-'}` });
            // Nothing that can throw runs between this read and the await that settles it.
            if (rows.length === BATCH_SIZE && last !== undefined) next = batchAfter(Number(last.seq));
            const going = rows.every((row) => walk.add(walkedRow(row)));
            if (!going || rows.length < BATCH_SIZE) {
              if (rows.length === BATCH_SIZE) await next;
              return walk.finish();
            }
          }
        },
        { isolationLevel: 'repeatable read' as never, readOnly: true },
      );
      const source = checkpoint !== undefined ? ChainWitness.Supplied : witness !== undefined ? ChainWitness.Redis : ChainWitness.None;
      const message = verdict.failure === null ? `The chain is intact: ${verdict.rowsChecked} rows and ${verdict.checkpointsChecked} checkpoints checked` : verdict.failure.detail;
      return { success: verdict.valid, message, counts: { rows: verdict.rowsChecked, checkpoints: verdict.checkpointsChecked }, data: { ...verdict, witness: source } };
    });
  }
}

function walkedRow(row: StoredRow) {
  return { id: Number(row.id), seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash, computedHash: sha256Hex(row.canonical) };
}
