import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { Page } from '../common/pagination/page.dto';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { REDIS_CLIENT } from '../common/redis/redis.tokens';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { AuditCheckpoint, AuditCheckpointKind } from './audit-checkpoint.entity';
import { SignedCheckpoint } from './audit-checkpoint-signature';
import { CheckpointWithId } from './audit-chain-verifier';
import { AuditSigner } from './audit-signer';
import { AuditCheckpointDto } from './dto/audit-checkpoint.dto';

const INSERT_CHECKPOINT = `insert into audit_checkpoints (created_at, kind, from_seq, seq, row_id, hash, public_key, signature)
  values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (kind, seq) do nothing returning id`;
// Replaces the witness only with a later checkpoint, whichever process gets there first.
const KEEP_LATEST_SCRIPT = `local current = redis.call('GET', KEYS[1])
if current and tonumber(cjson.decode(current).seq) >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;
const EXPORT_BATCH_SIZE = 2_000;

/** The statement inserted by the retention purge inside its own transaction. */
export interface RetentionRun {
  fromSeq: number;
  seq: number;
  rowId: number;
  hash: string;
}

/**
 * Signed checkpoints of the audit chain: one every AUDIT_CHECKPOINT_ROWS rows (noticed by the
 * process that wrote the row) or every AUDIT_CHECKPOINT_MINUTES (a timer in every process; the
 * unique (kind, seq) makes a second process's copy a no-op). The newest is also kept in Redis, a
 * witness outside the database for a cut tail.
 */
@Injectable()
export class AuditCheckpointService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuditCheckpointService.name);
  private readonly witnessKey: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly signer: AuditSigner,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.witnessKey = `${config.redisKeyPrefix}audit:checkpoint:latest`;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.checkpointInBackground(), this.config.auditCheckpointMinutes * 60_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Called with the seq of every row this process wrote; a multiple of the interval gets its checkpoint. */
  noteRow(seq: number): void {
    if (seq % this.config.auditCheckpointRows === 0) this.checkpointInBackground();
  }

  private checkpointInBackground(): void {
    this.checkpoint().catch((error: unknown) => this.logger.error({ err: error }, 'Could not write an audit checkpoint'));
  }

  /** A periodic checkpoint at the chain's head, unless there is one already; returns the newest. */
  async checkpoint(): Promise<AuditCheckpointDto | null> {
    const connection = this.em.getConnection();
    const [head] = await connection.execute<{ seq: string; id: string; hash: string }[]>(
      `select h.seq, l.id, h.hash from audit_chain_head h join audit_logs l on l.seq = h.seq where h.id`,
    );
    if (head === undefined) return null;
    const signed = this.signer.sign({
      kind: AuditCheckpointKind.Periodic,
      fromSeq: null,
      seq: Number(head.seq),
      rowId: Number(head.id),
      hash: head.hash,
      createdAt: new Date(),
    });
    await this.insert(this.em, signed);
    const newest = await this.em.fork().findOne(AuditCheckpoint, { kind: AuditCheckpointKind.Periodic }, { orderBy: { seq: 'DESC' } });
    if (newest === null) return null;
    const dto = AuditCheckpointDto.from(newest);
    await this.keepWitness(dto);
    return dto;
  }

  /** Signs and inserts the retention purge's checkpoints, in the purge's transaction. */
  async writeRetentionCheckpoints(em: EntityManager, runs: RetentionRun[]): Promise<void> {
    const createdAt = new Date();
    for (const run of runs) await this.insert(em, this.signer.sign({ kind: AuditCheckpointKind.Retention, ...run, createdAt }));
  }

  private async insert(em: EntityManager, checkpoint: SignedCheckpoint): Promise<void> {
    await em.getConnection().execute(
      INSERT_CHECKPOINT,
      [checkpoint.createdAt, checkpoint.kind, checkpoint.fromSeq, checkpoint.seq, checkpoint.rowId, checkpoint.hash, checkpoint.publicKey, checkpoint.signature],
      'all',
      em.getTransactionContext(),
    );
  }

  /** The witness is a second copy: Redis being away costs the copy, never the checkpoint. */
  private async keepWitness(checkpoint: AuditCheckpointDto): Promise<void> {
    try {
      await this.redis.eval(KEEP_LATEST_SCRIPT, 1, this.witnessKey, JSON.stringify(checkpoint), String(checkpoint.seq));
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not keep the newest audit checkpoint in Redis');
    }
  }

  /** The newest checkpoint kept in Redis, if any. */
  async witness(): Promise<CheckpointWithId | undefined> {
    const text = await this.redis.get(this.witnessKey);
    return text === null ? undefined : { ...(JSON.parse(text) as AuditCheckpointDto), id: null };
  }

  /** Every checkpoint, as `em` (the verify job's snapshot) sees them. */
  async all(em: EntityManager): Promise<CheckpointWithId[]> {
    const rows = await em.find(AuditCheckpoint, {}, { orderBy: { seq: 'ASC', id: 'ASC' } });
    return rows.map(AuditCheckpointDto.from);
  }

  async list(query: PageQueryDto): Promise<Page<AuditCheckpointDto>> {
    const [rows, total] = await this.em.fork().findAndCount(AuditCheckpoint, {}, { orderBy: { id: 'DESC' }, limit: query.limit, offset: query.offset });
    return { items: rows.map(AuditCheckpointDto.from), total, limit: query.limit, offset: query.offset };
  }

  /** Every checkpoint as NDJSON, oldest first: the file `npm run audit:verify` takes with --checkpoints. */
  exportAll(): Readable {
    const output = new PassThrough();
    const run = async (): Promise<void> => {
      const em = this.em.fork();
      let after = 0;
      for (;;) {
        const rows = await em.find(AuditCheckpoint, { id: { $gt: after } }, { orderBy: { id: 'ASC' }, limit: EXPORT_BATCH_SIZE });
        for (const row of rows) {
          if (output.destroyed) return;
          if (!output.write(`${JSON.stringify(AuditCheckpointDto.from(row))}\n`)) await once(output, 'drain');
        }
        if (rows.length < EXPORT_BATCH_SIZE) return;
        after = Number(rows[rows.length - 1].id);
        em.clear();
      }
    };
    run().then(
      () => output.end(),
      (error: unknown) => {
        this.logger.error({ err: error }, 'Audit checkpoint export failed mid-stream');
        output.destroy(error as Error);
      },
    );
    return output;
  }
}
