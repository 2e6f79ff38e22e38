import { generateKeyPairSync } from 'node:crypto';
import { GENESIS_HASH, sha256Hex } from '../../src/audit/audit-chain';
import { ChainWalk, CheckpointWithId, WalkedRow } from '../../src/audit/audit-chain-verifier';
import { AuditCheckpointKind } from '../../src/audit/audit-checkpoint.entity';
import { signCheckpoint } from '../../src/audit/audit-checkpoint-signature';

const { privateKey } = generateKeyPairSync('ed25519');

/** A well-formed chain of `count` rows, ids 101, 102… */
function chain(count: number): WalkedRow[] {
  const rows: WalkedRow[] = [];
  let previous = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const hash = sha256Hex(`${seq}:${previous}`);
    rows.push({ id: 100 + seq, seq, prevHash: previous, hash, computedHash: hash });
    previous = hash;
  }
  return rows;
}

function checkpointAt(row: WalkedRow, kind = AuditCheckpointKind.Periodic, fromSeq: number | null = null): CheckpointWithId {
  return { ...signCheckpoint({ kind, fromSeq, seq: row.seq, rowId: row.id, hash: row.hash, createdAt: new Date('2026-11-28T09:00:00Z') }, privateKey), id: row.seq };
}

function walk(rows: WalkedRow[], checkpoints: CheckpointWithId[] = [], witness?: CheckpointWithId) {
  const verifier = new ChainWalk({ checkpoints, witness, fromStart: true });
  for (const row of rows) if (!verifier.add(row)) break;
  return verifier.finish();
}

describe('ChainWalk', () => {
  it('finds an intact chain valid, counting rows and checkpoints', () => {
    const rows = chain(10);
    expect(walk(rows, [checkpointAt(rows[4]), checkpointAt(rows[9])])).toEqual({
      valid: true,
      rowsChecked: 10,
      checkpointsChecked: 2,
      firstSeq: 1,
      lastSeq: 10,
      failure: null,
    });
  });

  it('names a row whose fields changed', () => {
    const rows = chain(10);
    rows[3] = { ...rows[3], computedHash: 'f'.repeat(64) };
    expect(walk(rows).failure).toMatchObject({ kind: 'row_modified', rowId: 104, seq: 4 });
  });

  it('names a row rewritten with a fresh hash by its successor', () => {
    const rows = chain(10);
    rows[3] = { ...rows[3], hash: 'e'.repeat(64), computedHash: 'e'.repeat(64) };
    expect(walk(rows).failure).toMatchObject({ kind: 'row_modified', rowId: 104 });
  });

  it('names the row after a gap, and the first row when the start is gone', () => {
    const rows = chain(10);
    expect(walk([...rows.slice(0, 4), ...rows.slice(5)]).failure).toMatchObject({ kind: 'row_missing', rowId: 106, seq: 6 });
    expect(walk(rows.slice(3)).failure).toMatchObject({ kind: 'row_missing', rowId: 104 });
  });

  it('accepts gaps a retention checkpoint accounts for, and only those', () => {
    const rows = chain(10);
    expect(walk(rows.slice(3), [checkpointAt(rows[2], AuditCheckpointKind.Retention, 1)]).valid).toBe(true);
    expect(walk([...rows.slice(0, 2), ...rows.slice(5)], [checkpointAt(rows[4], AuditCheckpointKind.Retention, 3)]).valid).toBe(true);
    expect(walk([...rows.slice(0, 2), ...rows.slice(5)], [checkpointAt(rows[4], AuditCheckpointKind.Retention, 4)]).failure).toMatchObject({ kind: 'row_missing' });
  });

  it('refuses a checkpoint whose statement or signature was altered', () => {
    const rows = chain(10);
    const altered = { ...checkpointAt(rows[4]), hash: rows[5].hash };
    expect(walk(rows, [altered]).failure).toMatchObject({ kind: 'checkpoint_signature_invalid', seq: 5, checkpointId: 5 });
    expect(walk(rows, [{ ...checkpointAt(rows[4]), signature: 'zz' }]).failure).toMatchObject({ kind: 'checkpoint_signature_invalid' });
  });

  it('catches a chain rewritten consistently after a checkpoint', () => {
    const rows = chain(10);
    const original = checkpointAt(rows[7]);
    const forged = rows.map((row) => (row.seq >= 6 ? { ...row, hash: sha256Hex(`x${row.seq}`), computedHash: sha256Hex(`x${row.seq}`), prevHash: row.seq === 6 ? row.prevHash : sha256Hex(`x${row.seq - 1}`) } : row));
    expect(walk(forged, [original]).failure).toMatchObject({ kind: 'row_modified', rowId: 108, checkpointId: 8 });
  });

  it('catches a cut tail against a checkpoint or a witness', () => {
    const rows = chain(10);
    expect(walk(rows.slice(0, 7), [checkpointAt(rows[9])]).failure).toMatchObject({ kind: 'tail_truncated', rowId: 110, seq: 10 });
    expect(walk(rows.slice(0, 7), [], { ...checkpointAt(rows[9]), id: null }).failure).toMatchObject({ kind: 'tail_truncated', checkpointId: null });
  });

  it('refuses a well-signed checkpoint whose key is not trusted, when trusted keys are given', () => {
    const rows = chain(10);
    const checkpoint = checkpointAt(rows[4]);
    const forger = generateKeyPairSync('ed25519').privateKey;
    const forged = { ...signCheckpoint({ kind: AuditCheckpointKind.Periodic, fromSeq: null, seq: 10, rowId: 110, hash: rows[9].hash, createdAt: new Date() }, forger), id: 10 };
    const walkTrusting = (trusted: string[]) => {
      const verifier = new ChainWalk({ checkpoints: [checkpoint, forged], fromStart: true, trustedPublicKeys: new Set(trusted) });
      for (const row of rows) verifier.add(row);
      return verifier.finish();
    };
    expect(walk(rows, [checkpoint, forged]).valid).toBe(true);
    expect(walkTrusting([checkpoint.publicKey, forged.publicKey]).valid).toBe(true);
    expect(walkTrusting([checkpoint.publicKey]).failure).toMatchObject({ kind: 'checkpoint_signature_invalid', seq: 10, detail: expect.stringContaining(forged.publicKey) });
  });
});
