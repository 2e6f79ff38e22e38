import type { KeyObject } from 'node:crypto';
import { jsonbText } from './audit-chain';
import { publicKeyHex, signatureValid, signText } from './audit-signing-key';

/** What a checkpoint states, as the API and its export show it. */
export interface CheckpointStatement {
  kind: string;
  fromSeq: number | null;
  seq: number;
  rowId: number;
  hash: string;
  createdAt: Date | string;
}

export interface SignedCheckpoint extends CheckpointStatement {
  publicKey: string;
  signature: string;
}

/** The bytes (as text) a checkpoint's signature covers. */
export function checkpointText(checkpoint: CheckpointStatement): string {
  const createdAt = new Date(checkpoint.createdAt).toISOString();
  return jsonbText(['sms-audit-checkpoint-1', checkpoint.kind, checkpoint.fromSeq, checkpoint.seq, checkpoint.rowId, checkpoint.hash, createdAt]);
}

export function signCheckpoint(statement: CheckpointStatement, privateKey: KeyObject): SignedCheckpoint {
  return { ...statement, publicKey: publicKeyHex(privateKey), signature: signText(checkpointText(statement), privateKey) };
}

export function checkpointSignatureValid(checkpoint: SignedCheckpoint): boolean {
  if (Number.isNaN(new Date(checkpoint.createdAt).getTime())) return false;
  return signatureValid(checkpointText(checkpoint), checkpoint.signature, checkpoint.publicKey);
}
