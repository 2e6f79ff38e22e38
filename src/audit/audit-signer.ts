import { Logger } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppConfig } from '../config/environment';
import { SignedCheckpoint, CheckpointStatement, signCheckpoint } from './audit-checkpoint-signature';
import { generateSigningKeyText, parseSigningKey, publicKeyHex } from './audit-signing-key';

/** The key that signs this service's audit checkpoints. */
export class AuditSigner {
  readonly publicKey: string;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = publicKeyHex(privateKey);
  }

  sign(statement: CheckpointStatement): SignedCheckpoint {
    return signCheckpoint(statement, this.privateKey);
  }

  /**
   * AUDIT_SIGNING_KEY, else the key kept in AUDIT_SIGNING_KEY_FILE, else a new key written there
   * (exclusively, so processes starting together on one folder agree on one key).
   */
  static async load(config: AppConfig, logger = new Logger(AuditSigner.name)): Promise<AuditSigner> {
    if (config.auditSigningKey !== undefined) return new AuditSigner(parseSigningKey(config.auditSigningKey));
    const path = config.auditSigningKeyFile;
    const signer = new AuditSigner(parseSigningKey(await readOrCreateKeyFile(path, logger)));
    const message = `AUDIT_SIGNING_KEY is not set: audit checkpoints are signed with the key in ${path}, public key ${signer.publicKey}`;
    if (config.nodeEnvironment === 'production') logger.warn(`${message}. Set AUDIT_SIGNING_KEY and keep the public key outside this server.`);
    else logger.log(message);
    return signer;
  }
}

async function readOrCreateKeyFile(path: string, logger: Logger): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true });
  // Written aside and linked into place: link fails if another process got there first, and
  // nobody ever reads a half-written key.
  const draft = `${path}.${process.pid}.tmp`;
  await writeFile(draft, `${generateSigningKeyText()}\n`, { mode: 0o600 });
  try {
    await link(draft, path);
    logger.warn(`Generated an audit signing key in ${path}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  return readFile(path, 'utf8');
}
