import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { GENESIS_HASH } from './audit-chain';
import { AuditCheckpointKind } from './audit-checkpoint.entity';
import { checkpointSignatureValid, SignedCheckpoint } from './audit-checkpoint-signature';

/** Stable: they are the job's and the command's answer. */
export enum ChainFailureKind {
  RowModified = 'row_modified',
  RowMissing = 'row_missing',
  CheckpointSignatureInvalid = 'checkpoint_signature_invalid',
  TailTruncated = 'tail_truncated',
}

@ApiSchema({ name: 'AuditChainFailure', description: 'The first place where the audit chain does not hold.' })
export class ChainFailure {
  @ApiProperty({ enum: ChainFailureKind, enumName: 'ChainFailureKind' })
  kind!: ChainFailureKind;

  @ApiProperty({ type: 'integer', description: 'The row at fault: the changed row; for a gap the first row after it; for a truncation the last row a checkpoint vouches for.' })
  rowId!: number;

  @ApiProperty({ type: 'integer' })
  seq!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The checkpoint that failed or that showed the failure, when one did (the witness has none).' })
  checkpointId!: number | null;

  @ApiProperty({ example: 'Row 1042 (seq 1042) does not hash to its stored hash' })
  detail!: string;
}

/** A row as the walk sees it: what is stored, and the hash its stored fields give now. */
export interface WalkedRow {
  id: number;
  seq: number;
  prevHash: string;
  hash: string;
  computedHash: string;
}

export interface CheckpointWithId extends SignedCheckpoint {
  /** Null for a witness that came from outside the table. */
  id: number | null;
}

/** The answer of a walk over the chain. */
export class ChainVerdict {
  @ApiProperty()
  valid!: boolean;

  @ApiProperty({ type: 'integer' })
  rowsChecked!: number;

  @ApiProperty({ type: 'integer' })
  checkpointsChecked!: number;

  @ApiProperty({ type: 'integer', nullable: true })
  firstSeq!: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  lastSeq!: number | null;

  @ApiProperty({ type: ChainFailure, nullable: true })
  failure!: ChainFailure | null;
}

export interface ChainWalkOptions {
  /** Signed checkpoints: the table's, or an exported copy. */
  checkpoints: CheckpointWithId[];
  /** A checkpoint kept outside the table (the caller's copy, or Redis): catches a cut tail with its checkpoints. */
  witness?: CheckpointWithId;
  /** Whether the walk starts at the beginning of the trail, so its first row must chain onto the genesis or a retention checkpoint. */
  fromStart: boolean;
  /** The last seq the walk covers: checkpoints beyond it are not expected to be met. */
  toSeq?: number;
  /**
   * Public keys (hex) the checkpoints must be signed with. A valid signature proves only that the
   * holder of the key it names signed it, so without this list a forger's own key would pass.
   */
  trustedPublicKeys?: ReadonlySet<string>;
}

/**
 * Checks a chain fed row by row in seq order, as the verify job reads it from the database and as
 * the command reads it from an export. Pure: it holds only the previous row, so a million rows
 * cost no memory. The first failure met ends the walk.
 */
export class ChainWalk {
  private readonly retentionAnchors = new Map<number, CheckpointWithId>();
  private readonly expectations = new Map<number, CheckpointWithId[]>();
  private readonly signatureFailures: ChainFailure[] = [];
  private previous: WalkedRow | undefined;
  private firstSeq: number | null = null;
  private walkFailure: ChainFailure | null = null;
  private checked = 0;
  private checkpointsChecked = 0;

  constructor(private readonly options: ChainWalkOptions) {
    const all = options.witness === undefined ? options.checkpoints : [...options.checkpoints, options.witness];
    for (const checkpoint of all) {
      if (options.toSeq !== undefined && checkpoint.seq > options.toSeq) continue;
      this.checkpointsChecked += 1;
      const untrusted = options.trustedPublicKeys !== undefined && !options.trustedPublicKeys.has(checkpoint.publicKey);
      if (untrusted || !checkpointSignatureValid(checkpoint)) {
        this.signatureFailures.push({
          kind: ChainFailureKind.CheckpointSignatureInvalid,
          rowId: checkpoint.rowId,
          seq: checkpoint.seq,
          checkpointId: checkpoint.id,
          detail: untrusted
            ? `The ${checkpoint.kind} checkpoint at seq ${checkpoint.seq} is signed with key ${checkpoint.publicKey}, which is not a trusted key`
            : `The signature of the ${checkpoint.kind} checkpoint at seq ${checkpoint.seq} does not match what it states`,
        });
        continue;
      }
      if (checkpoint.kind === String(AuditCheckpointKind.Retention)) this.retentionAnchors.set(checkpoint.seq, checkpoint);
      else this.expectations.set(checkpoint.seq, [...(this.expectations.get(checkpoint.seq) ?? []), checkpoint]);
    }
  }

  get rowsChecked(): number {
    return this.checked;
  }

  /** Feeds the next row; false once a failure has been found (stop feeding). */
  add(row: WalkedRow): boolean {
    if (this.walkFailure !== null) return false;
    this.checked += 1;
    this.firstSeq ??= row.seq;
    this.walkFailure = this.check(row);
    this.previous = row;
    return this.walkFailure === null;
  }

  private check(row: WalkedRow): ChainFailure | null {
    const fail = (kind: ChainFailureKind, at: { id: number; seq: number }, detail: string, checkpointId: number | null = null): ChainFailure => ({
      kind,
      rowId: at.id,
      seq: at.seq,
      checkpointId,
      detail,
    });
    if (row.computedHash !== row.hash) return fail(ChainFailureKind.RowModified, row, `Row ${row.id} (seq ${row.seq}) no longer matches its hash`);
    const previous = this.previous;
    if (previous !== undefined && row.seq <= previous.seq) {
      return fail(ChainFailureKind.RowModified, row, `Row ${row.id} repeats or reorders seq ${row.seq}`);
    }
    if (previous !== undefined && row.seq === previous.seq + 1) {
      if (row.prevHash !== previous.hash) {
        return fail(ChainFailureKind.RowModified, previous, `Row ${previous.id} (seq ${previous.seq}) was rewritten: row ${row.id} chains onto another hash`);
      }
    } else if (previous !== undefined || this.options.fromStart) {
      const missingFrom = previous === undefined ? 1 : previous.seq + 1;
      if (!(previous === undefined && row.seq === 1 && row.prevHash === GENESIS_HASH) && !this.anchoredByRetention(row, missingFrom)) {
        const missing = missingFrom === row.seq - 1 ? `seq ${missingFrom}` : `seq ${missingFrom} to ${row.seq - 1}`;
        return fail(ChainFailureKind.RowMissing, row, `Rows before row ${row.id} are missing (${missing}) and no retention checkpoint accounts for them`);
      }
    }
    for (const checkpoint of this.expectations.get(row.seq) ?? []) {
      if (checkpoint.hash !== row.hash) {
        return fail(ChainFailureKind.RowModified, row, `Row ${row.id} (seq ${row.seq}) differs from the hash its signed checkpoint recorded`, checkpoint.id);
      }
    }
    return null;
  }

  private anchoredByRetention(row: WalkedRow, missingFrom: number): boolean {
    const anchor = this.retentionAnchors.get(row.seq - 1);
    return anchor !== undefined && anchor.hash === row.prevHash && (anchor.fromSeq ?? 1) <= missingFrom;
  }

  /** The verdict once every row has been fed. */
  finish(): ChainVerdict {
    const lastSeq = this.previous?.seq ?? null;
    const failures = [...this.signatureFailures];
    if (this.walkFailure !== null) failures.push(this.walkFailure);
    else {
      const beyond = [...this.expectations.values()].flat().filter((checkpoint) => lastSeq === null || checkpoint.seq > lastSeq);
      const furthest = beyond.sort((a, b) => b.seq - a.seq)[0];
      if (furthest !== undefined) {
        failures.push({
          kind: ChainFailureKind.TailTruncated,
          rowId: furthest.rowId,
          seq: furthest.seq,
          checkpointId: furthest.id,
          detail: `A signed checkpoint vouches for rows up to seq ${furthest.seq} (row ${furthest.rowId}), but the chain ends at ${lastSeq === null ? 'no row' : `seq ${lastSeq}`}`,
        });
      }
    }
    const failure = failures.sort((a, b) => a.seq - b.seq)[0] ?? null;
    return { valid: failure === null, rowsChecked: this.checked, checkpointsChecked: this.checkpointsChecked, firstSeq: this.firstSeq, lastSeq, failure };
  }
}
