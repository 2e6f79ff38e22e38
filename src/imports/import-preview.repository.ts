import { EntityRepository } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { ImportPreviewStatus } from './import-options';
import type { ImportPreview } from './import-preview.entity';

/** What reading and planning a file found out, as a preview keeps it. */
export type ImportFindings = Pick<ImportPreview, 'summary' | 'canCommit' | 'detected' | 'planDigest' | 'stageSha256' | 'massChange'>;

/**
 * The transitions of a preview's state. Each is one statement, so that the condition it checks
 * and the change it makes cannot be split by another process. Those that take a `client` run in
 * the caller's raw transaction (see withRawTransaction) and stand or fall with it.
 */
export class ImportPreviewRepository extends EntityRepository<ImportPreview> {
  /** Moves a ready preview to committing; false when another request got there first (or it is not ready). */
  async claimForCommit(id: string): Promise<boolean> {
    const claimed = await this.nativeUpdate({ id, status: ImportPreviewStatus.Ready }, { status: ImportPreviewStatus.Committing });
    return claimed === 1;
  }

  async attachJob(ids: readonly string[], jobId: string): Promise<void> {
    await this.nativeUpdate({ id: { $in: [...ids] } }, { jobId });
  }

  /**
   * The previews still committing can no longer be committed: their job was rolled back, or ended
   * without running. One that a job committed (or already failed) is left as it is.
   */
  async markFailed(ids: readonly string[]): Promise<void> {
    await this.nativeUpdate({ id: { $in: [...ids] }, status: ImportPreviewStatus.Committing }, { status: ImportPreviewStatus.Failed });
  }

  /** Stores what the runner found, in its transaction. */
  async recordFindings(client: PoolClient, id: string, findings: ImportFindings): Promise<void> {
    await client.query('update import_previews set summary = $2, can_commit = $3, detected = $4, plan_digest = $5, stage_sha256 = $6, mass_change = $7 where id = $1', [
      id,
      JSON.stringify(findings.summary),
      findings.canCommit,
      JSON.stringify(findings.detected),
      findings.planDigest,
      findings.stageSha256,
      JSON.stringify(findings.massChange ?? null),
    ]);
  }

  /**
   * The end of a job's transaction: committed with the rows it wrote, or refused (failed) with the
   * findings that say why. Unconditional: a retried job ends what an earlier attempt marked failed.
   */
  async settleInTransaction(client: PoolClient, ids: readonly string[], status: ImportPreviewStatus.Committed | ImportPreviewStatus.Failed): Promise<void> {
    await client.query('update import_previews set status = $2 where id = any($1::uuid[])', [ids, status]);
  }

  /**
   * Removes previews past their expiry and answers their ids, for their files to be removed. One
   * that a job may still be committing is kept a day longer (its job may be queued behind others);
   * after that its job is long gone. The database's clock decides, as for every process.
   */
  async sweepExpired(): Promise<string[]> {
    const removed = await this.getEntityManager()
      .getConnection()
      .execute<{ id: string }[]>(`delete from import_previews where expires_at < now() and (status <> ? or expires_at < now() - interval '1 day') returning id`, [
        ImportPreviewStatus.Committing,
      ]);
    return removed.map(({ id }) => id);
  }

  /** Removes a preview that its request could not finish (its issues go with it). */
  async discard(id: string): Promise<void> {
    await this.nativeDelete({ id });
  }
}
