import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import type { PoolClient } from 'pg';
import { latestNotFutureDate } from '../common/validation/date.validators';
import { API_PREFIX } from '../common/http/api-prefix';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { withRawTransaction } from '../database/raw-transaction';
import { JobExecution, JobFailedError } from '../jobs/job-handler.registry';
import { PhasedProgress } from '../jobs/job-phases';
import { JobProgress, JobRecord, JobResult } from '../jobs/job-record';
import { ProgressUnit } from '../jobs/job.enums';
import { useBulkWorkMemory } from './bulk-work-memory';
import { copyCreatedRows, createdRowsLayout, createsEveryRow } from './created-rows-copy';
import { ImportFormat, IssueSeverity, MassChange, RowIssue } from './import.types';
import { ImportPreviewStatus, InvalidRowPolicy } from './import-options';
import {
  applySql,
  beforeImagesSql,
  countsFrom,
  CountsRow,
  countsSql,
  ImportSummary,
  massChangeOf,
  massChangeSql,
  OutcomeCounts,
  planIssuesSql,
  planSql,
  RowOutcome,
  stagedIssuesSql,
  SKIP_ISSUE_CODES,
  summarize,
  summaryDifferences,
} from './import-plan';
import { ImportPreview } from './import-preview.entity';
import { ImportPreviewRepository } from './import-preview.repository';
import { ImportStorage } from './import-storage.service';
import { importTarget } from './import-targets';
import { restoreStage, stageSources, StagedSource, TYPICAL_BYTES_PER_ROW } from './import-staging';

/** What was detected in a file, as the preview shows it. */
export interface ImportDetection {
  format: string;
  encoding: string | null;
  delimiter: string | null;
  sheet: string | null;
  columns: { index: number; column: string; field: string | null }[];
}

/** What a committed import did, per preview and in total; `updated` counts the restored records too. */
export interface ImportOutcome {
  created: number;
  updated: number;
  restored: number;
  unchanged: number;
  skipped: number;
  rejected: number;
}

/** How a commit job was asked to run. */
export interface CommitOptions {
  /** The plan was made by a preview request: apply it only if it still holds. */
  recheck: boolean;
  /** Write even if the import changes a large share of the records or deactivates students. */
  confirmMassChange: boolean;
}

/** Rejected rows shown in a job's result; the rest are in the rejected-rows download. */
const REJECTED_ROWS_IN_RESULT = 20;

interface Analysis {
  staged: StagedSource[];
  /** sha256 of the staged rows a preview saved. */
  savedSha256: string | null;
  summaries: ImportSummary[];
  counts: OutcomeCounts[];
  /** Per source: a digest of what the plan does with each row; null when nothing could be planned. */
  planDigests: (string | null)[];
  presentFields: Set<string>;
  /** Null when nothing could be planned. */
  massChange: MassChange | null;
}

/** The phases of an import job, in order: `record` (the findings) only when the job is its own preview. */
type ImportPhase = 'read' | 'plan' | 'record' | 'write';

/**
 * Rows per second of each phase on the benchmark's 2-core machine (docs/imports.md, Performance):
 * they weigh the phases of an import job and pace its bar while one SQL statement runs.
 */
const ROWS_PER_SECOND = { read: 80_000, load: 400_000, plan: 250_000, record: 1_000_000, write: 60_000, createDirectly: 100_000 } as const;

/** Where an import reports its progress: a job's phases, or nowhere (a preview request). */
interface ImportProgress {
  start(phase: ImportPhase): Promise<void>;
  /** The running phase's fraction done, counted, and what it is doing. */
  count(fraction: number, message: string): Promise<void>;
}

const UNREPORTED: ImportProgress = { start: async () => undefined, count: async () => undefined };

/** Rows a preview saved (its staged rows, in COPY text), with what the preview learnt about its file. */
interface SavedStage {
  path: string;
  sha256: string;
  size: number;
  source: StagedSource;
}

/** Bytes as whole megabytes, for progress messages. */
function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

/** Tables an import of each entity locks between planning and writing, so that the plan holds. */
const LOCKS: Record<string, string[]> = {
  students: ['lock table "students" in share row exclusive mode'],
  courses: ['lock table "courses" in share row exclusive mode'],
  enrollments: ['lock table "enrollments" in share row exclusive mode', 'lock table "students", "courses" in share mode'],
};

/**
 * Runs the import pipeline on one database connection: stage the stored files, plan, and either
 * record the plan (a preview) or apply it (a commit job), each in one transaction.
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger(ImportRunner.name);

  constructor(
    private readonly em: EntityManager,
    private readonly previewRepository: ImportPreviewRepository,
    private readonly storage: ImportStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Reads, validates and plans one stored upload; records what was found; writes no domain data. */
  async preview(preview: ImportPreview): Promise<void> {
    await withRawTransaction(this.em, async (client) => {
      const analysis = await this.analyze(client, [preview], 'preview', UNREPORTED, null);
      await this.record(client, [preview], analysis, UNREPORTED);
    });
  }

  /**
   * The body of a `bulk_import` job. With `recheck`, the previews were made by a preview request and
   * the job applies them only if the plan still matches; without, the job is the preview too
   * (uploads, directory imports) and records what it found before it applies it.
   */
  async commit(previews: ImportPreview[], { recheck, confirmMassChange }: CommitOptions, execution: JobExecution): Promise<Partial<JobResult>> {
    const [first] = previews;
    const savedStage = recheck && previews.length === 1 ? await this.savedStageOf(first) : null;
    const createsOnly = savedStage !== null && createsEveryRow(first.summary, first.entity, first.mode);
    const phases = await this.phasesOf(previews, recheck, createsOnly, execution);
    const cancellable = (report: ImportProgress): ImportProgress => ({
      start: async (phase) => {
        await execution.throwIfCancelled();
        await report.start(phase);
      },
      count: async (fraction, message) => {
        await execution.throwIfCancelled();
        await report.count(fraction, message);
      },
    });
    const progress = cancellable(phases);
    try {
      const outcome = await withRawTransaction(this.em, async (client): Promise<{ result: Partial<JobResult> } | { refusal: JobFailedError }> => {
        const completed = async (written: ImportOutcome, found: { summaries: ImportSummary[]; warnings: string[] }) => {
          await execution.throwIfCancelled();
          const result = await this.completed(client, previews, written, found, execution.job);
          // Inside the transaction: a progress report that failed fails the job, and nothing is written.
          await phases.stop();
          return { result };
        };
        const created = createsOnly ? await this.createDirectly(client, first, savedStage, progress, execution.job) : null;
        if (created !== null) return completed(created, { summaries: [first.summary as ImportSummary], warnings: [] });
        // When the direct write found that the plan changed, planning again says how; its phases were not declared.
        const analysis = await this.analyze(client, previews, recheck ? 'commit' : 'direct', createsOnly ? cancellable(UNREPORTED) : progress, savedStage);
        await execution.throwIfCancelled();
        if (recheck) {
          const differences = previews.flatMap((preview, index) => summaryDifferences(preview.summary as ImportSummary, analysis.summaries[index]));
          if (differences.length === 0 && previews.some((preview, index) => preview.planDigest != null && preview.planDigest !== analysis.planDigests[index])) {
            differences.push('plan: every count is the same, but some rows would now be written differently (a record changed, was deleted or was created)');
          }
          if (differences.length > 0) {
            throw new JobFailedError('The data changed since the preview, so the plan no longer holds; nothing was written. Preview the file again.', {
              counts: countsOf(analysis.summaries),
              errors: differences.map((difference) => `preview ${difference}`),
              data: { previewIds: previews.map((preview) => preview.id), code: 'preview_outdated' },
            });
          }
        } else {
          await this.record(client, previews, analysis, progress);
          const refused = previews.filter((preview) => !preview.canCommit);
          if (refused.length > 0) {
            // The findings stay (this transaction commits them); no domain row was written.
            await this.previewRepository.settleInTransaction(client, idsOf(previews), ImportPreviewStatus.Failed);
            return { refusal: await this.refusal(client, previews, analysis) };
          }
        }
        if (analysis.massChange?.confirmationNeeded && !confirmMassChange) {
          if (recheck) throw massChangeRefusal(previews, analysis.massChange);
          // As for invalid rows: the findings an upload's job recorded stay, and nothing else is written.
          await this.previewRepository.settleInTransaction(client, idsOf(previews), ImportPreviewStatus.Failed);
          return { refusal: massChangeRefusal(previews, analysis.massChange) };
        }
        await progress.start('write');
        return completed(await this.apply(client, previews, analysis, execution.job), { summaries: analysis.summaries, warnings: warningsOf(analysis) });
      });
      if ('refusal' in outcome) throw outcome.refusal;
      return outcome.result;
    } catch (error) {
      phases.halt();
      await this.markFailed(previews);
      throw error;
    }
  }

  /** After the writes, in their transaction: the job's result, and the previews settled as committed. */
  private async completed(
    client: PoolClient,
    previews: ImportPreview[],
    outcome: ImportOutcome,
    found: { summaries: ImportSummary[]; warnings: string[] },
    job: JobRecord,
  ): Promise<Partial<JobResult>> {
    const rejectedRows = await this.firstRejectedRows(client, previews);
    await this.previewRepository.settleInTransaction(client, idsOf(previews), ImportPreviewStatus.Committed);
    return {
      message: `Created ${outcome.created}, updated ${outcome.updated}, unchanged ${outcome.unchanged}, skipped ${outcome.skipped}, rejected ${outcome.rejected}`,
      counts: { ...outcome },
      errors: rejectedRows,
      warnings: found.warnings,
      data: {
        previewIds: previews.map((preview) => preview.id),
        entity: previews[0].entity,
        fileNames: previews.map((preview) => preview.fileName),
        summaries: found.summaries,
        rejectedRowsUrls: previews.map((preview) => `/${API_PREFIX}/imports/previews/${preview.id}/rejected`),
        recordsUrl: `/${API_PREFIX}/imports/jobs/${job.id}/records`,
      },
    };
  }

  /**
   * Writes a preview that creates every row it writes straight from its saved rows (created-rows-copy.ts),
   * under the same lock as a planned commit. Answers null, having written nothing, when the table
   * refuses a row or the rows written are not the rows planned: the plan no longer holds, and
   * planning again says how.
   */
  private async createDirectly(client: PoolClient, preview: ImportPreview, saved: SavedStage, progress: ImportProgress, job: JobRecord): Promise<ImportOutcome | null> {
    const target = importTarget(preview.entity);
    const summary = preview.summary as ImportSummary;
    for (const lock of LOCKS[preview.entity]) await client.query(lock);
    await progress.start('write');
    const defaulted = target.columns.filter((column) => column.defaultWhenEmpty !== undefined);
    // Computed by PostgreSQL in this transaction, so that each is the value the INSERT of a planned commit would write.
    const {
      rows: [values],
    } = await client.query<Record<string, string>>(
      `select (select coalesce(max(id), 0) from ${target.table})::text as before_id${defaulted.map((column, index) => `, (${column.defaultWhenEmpty})::text as default_${index}`).join('')}`,
    );
    const defaults = Object.fromEntries(defaulted.map((column, index) => [column.column, values[`default_${index}`]]));
    const layout = createdRowsLayout(target, saved.source.presentFields, { jobId: job.id, fileName: preview.fileName, defaults });
    await client.query('savepoint import_create_directly');
    let written: number;
    try {
      written = await copyCreatedRows(client, {
        table: target.table,
        layout,
        stagedValues: target.columns.length,
        path: saved.path,
        sha256: saved.sha256,
        onProgress: (bytes) => progress.count(bytes / saved.size, `Writing the records (${megabytes(bytes)} of ${megabytes(saved.size)})`),
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await client.query('rollback to savepoint import_create_directly');
      return null;
    }
    if (written !== summary.create) {
      await client.query('rollback to savepoint import_create_directly');
      return null;
    }
    await client.query('release savepoint import_create_directly');
    // The table is locked against other writers: every id above the one before the copy is one of its rows.
    const {
      rows: [range],
    } = await client.query<{ first_id: number; last_id: number }>(`select min(id) as first_id, max(id) as last_id from ${target.table} where id > $1`, [values.before_id]);
    const created = { count: written, first_id: range.first_id, last_id: range.last_id };
    await this.recordCommit(client, [preview], job, created, 0, 0);
    return { created: written, updated: 0, restored: 0, unchanged: 0, skipped: 0, rejected: summary.invalidRows };
  }

  /**
   * The phases of an import job, weighed by their expected time, in one unit: rows when the
   * preview counted them (a commit of a preview), otherwise bytes of the files (the job reads them
   * for the first time), the rows then estimated from the bytes.
   */
  private async phasesOf(previews: ImportPreview[], recheck: boolean, createsOnly: boolean, execution: JobExecution): Promise<PhasedProgress<ImportPhase>> {
    const report = (progress: Partial<JobProgress>) => execution.reportProgress(progress);
    // A retried attempt goes on from where the bar stands.
    const from = execution.job.progress.percentage;
    const seconds = (rows: number, rowsPerSecond: number) => (rows * 1000) / rowsPerSecond;
    if (createsOnly) {
      // One phase: the saved rows are written as they are read.
      const rows = previews[0].summary?.totalRows ?? 0;
      return new PhasedProgress({ write: { message: 'Writing the records', expectedMs: seconds(rows, ROWS_PER_SECOND.createDirectly) } }, rows, ProgressUnit.Rows, report, from);
    }
    if (recheck) {
      const rows = previews.reduce((sum, preview) => sum + (preview.summary?.totalRows ?? 0), 0);
      const saved = previews.length === 1 && previews[0].stageSha256 != null;
      return new PhasedProgress(
        {
          read: { message: saved ? 'Loading the previewed rows' : 'Reading and checking rows', expectedMs: seconds(rows, saved ? ROWS_PER_SECOND.load : ROWS_PER_SECOND.read) },
          plan: { message: 'Planning: matching the rows with the records', expectedMs: seconds(rows, ROWS_PER_SECOND.plan) },
          write: { message: 'Writing the records', expectedMs: seconds(rows, ROWS_PER_SECOND.write) },
        },
        rows,
        ProgressUnit.Rows,
        report,
        from,
      );
    }
    const bytes = await this.uploadBytes(previews);
    const rows = bytes / TYPICAL_BYTES_PER_ROW;
    return new PhasedProgress(
      {
        read: { message: 'Reading and checking rows', expectedMs: seconds(rows, ROWS_PER_SECOND.read) },
        plan: { message: 'Planning: matching the rows with the records', expectedMs: seconds(rows, ROWS_PER_SECOND.plan) },
        record: { message: 'Recording the findings', expectedMs: seconds(rows, ROWS_PER_SECOND.record) },
        write: { message: 'Writing the records', expectedMs: seconds(rows, ROWS_PER_SECOND.write) },
      },
      bytes,
      ProgressUnit.Bytes,
      report,
      from,
    );
  }

  /**
   * Stages and plans. A preview saves its staged rows; a commit of a preview loads them back
   * (`savedStage`, which the caller looked up; the file is read again only if they are gone);
   * uploads and directory imports stage from the files.
   */
  private async analyze(
    client: PoolClient,
    previews: ImportPreview[],
    purpose: 'preview' | 'commit' | 'direct',
    progress: ImportProgress,
    savedStage: SavedStage | null,
  ): Promise<Analysis> {
    const { entity, mode } = previews[0];
    const target = importTarget(entity);
    // The plan groups and joins a million rows at once, and the writes join them again.
    await useBulkWorkMemory(client);
    let staged: StagedSource[];
    let savedSha256: string | null = null;
    await progress.start('read');
    if (savedStage !== null) {
      await restoreStage(client, target, savedStage.path, savedStage.sha256, (bytes) =>
        progress.count(bytes / savedStage.size, `Loading the previewed rows (${megabytes(bytes)} of ${megabytes(savedStage.size)})`),
      );
      staged = [savedStage.source];
    } else {
      // A job reads the uploads themselves only when it has no saved rows: only then must they be what was stored.
      if (purpose !== 'preview') await this.checkUploads(previews);
      // Rows when a preview counted them, otherwise bytes of the files: the unit of the job's progress.
      const rows = previews.reduce((sum, preview) => sum + (preview.summary?.totalRows ?? 0), 0);
      const bytes = await this.uploadBytes(previews);
      const result = await stageSources(
        client,
        previews.map((preview) => ({ path: this.storage.pathOf(preview.id), fileName: preview.fileName, sheet: preview.sheet })),
        {
          entity,
          target,
          mode,
          maxRows: this.config.importMaxRows,
          today: latestNotFutureDate(),
          onProgress: (read) =>
            progress.count(purpose === 'commit' ? read.rows / rows : read.bytes / bytes, `Reading and checking rows (${read.rows} so far)`),
          saveTo: purpose === 'preview' ? this.storage.stagePathOf(previews[0].id) : undefined,
        },
      );
      staged = result.sources;
      savedSha256 = result.savedSha256;
    }
    const presentFields = new Set(staged.flatMap((source) => [...source.presentFields]));
    if (!target.keyFields.every((field) => presentFields.has(field))) {
      // Without the key no row can be matched: every row is refused by the header issue.
      const counts = staged.map(() => ({ staged: 0, invalid: 0, warningRows: 0, outcomes: {} }));
      const rows = await client.query<{ source: number; count: number }>('select source, count(*)::integer as count from import_stage group by source');
      for (const { source, count } of rows.rows) counts[source] = { staged: count, invalid: count, warningRows: 0, outcomes: {} };
      return { staged, counts, summaries: counts.map(summarize), planDigests: counts.map(() => null), presentFields, savedSha256, massChange: null };
    }
    await progress.start('plan');
    for (const lock of LOCKS[entity]) await client.query(lock);
    for (const statement of planSql(target, presentFields, mode)) await client.query(statement);
    const { counts, digests } = countsFrom((await client.query<CountsRow>(countsSql())).rows, previews.length);
    const summaries = counts.map(summarize);
    const {
      rows: [guard],
    } = await client.query<{ existing: number; deactivated: number }>(massChangeSql(target));
    const changed = summaries.reduce((sum, summary) => sum + summary.update, 0);
    const massChange = massChangeOf(guard.existing, changed, guard.deactivated, this.config.importMassChangePercent);
    return { staged, counts, summaries, planDigests: digests, presentFields, savedSha256, massChange };
  }

  private async uploadBytes(previews: ImportPreview[]): Promise<number> {
    const files = await Promise.all(previews.map((preview) => stat(this.storage.pathOf(preview.id))));
    return files.reduce((sum, file) => sum + file.size, 0);
  }

  private async checkUploads(previews: ImportPreview[]): Promise<void> {
    for (const preview of previews) {
      if ((await this.storage.sha256Of(preview.id)) !== preview.sha256) {
        throw new JobFailedError(`The stored copy of ${preview.fileName} no longer matches its sha256; nothing was written.`, {
          data: { previewIds: previews.map((each) => each.id), code: 'upload_changed' },
        });
      }
    }
  }

  /** The rows a preview saved, if they are still there, with what the preview learnt about its file. */
  private async savedStageOf(preview: ImportPreview): Promise<SavedStage | null> {
    const detected = preview.detected as unknown as ImportDetection | null | undefined;
    if (preview.stageSha256 == null || detected == null) return null;
    const path = this.storage.stagePathOf(preview.id);
    const size = await stat(path).then(
      (file) => file.size,
      () => null,
    );
    if (size === null) return null;
    const columns = detected.columns.map((column) => ({ index: column.index, header: column.column, field: column.field }));
    return {
      path,
      sha256: preview.stageSha256,
      size,
      source: {
        detection: { format: detected.format as ImportFormat, encoding: detected.encoding, delimiter: detected.delimiter, sheet: detected.sheet },
        columns,
        headerIssues: [],
        presentFields: new Set(columns.flatMap((column) => (column.field === null ? [] : [column.field]))),
      },
    };
  }

  /** Stores the findings of each preview: detection, summary, issues, plan digest, saved rows' sha256, and whether it may be committed. */
  private async record(client: PoolClient, previews: ImportPreview[], analysis: Analysis, progress: ImportProgress): Promise<void> {
    await progress.start('record');
    const target = importTarget(previews[0].entity);
    const previewIds = previews.map((preview) => preview.id);
    const fileNames = previews.map((preview) => preview.fileName);
    await this.insertHeaderIssues(client, previews, analysis.staged);
    await client.query(stagedIssuesSql(), [previewIds]);
    const outcomes = new Set(analysis.counts.flatMap((counts) => Object.keys(counts.outcomes) as RowOutcome[]));
    const headers = Object.fromEntries(
      analysis.staged.flatMap((source) => source.columns.filter((column) => column.field !== null).map((column) => [column.field, column.header])),
    );
    if (target.keyFields.every((field) => analysis.presentFields.has(field))) {
      for (const statement of planIssuesSql(target, outcomes)) await client.query(statement, [previewIds, fileNames, JSON.stringify(headers)]);
    }
    for (const [index, preview] of previews.entries()) {
      const source = analysis.staged[index];
      const summary = analysis.summaries[index];
      const headerErrors = source.headerIssues.some((issue) => issue.severity === IssueSeverity.Error);
      preview.summary = summary;
      preview.canCommit = !headerErrors && summary.totalRows > 0 && (summary.invalidRows === 0 || preview.onInvalid === InvalidRowPolicy.Skip);
      preview.detected = detectionOf(source) as unknown as Record<string, unknown>;
      preview.planDigest = analysis.planDigests[index];
      preview.massChange = analysis.massChange;
      preview.stageSha256 = analysis.savedSha256;
      await this.previewRepository.recordFindings(client, preview.id, preview);
    }
  }

  private async insertHeaderIssues(client: PoolClient, previews: ImportPreview[], staged: StagedSource[]): Promise<void> {
    const rows = staged.flatMap((source, index) => source.headerIssues.map((issue) => ({ previewId: previews[index].id, issue })));
    if (rows.length === 0) return;
    await client.query(
      `insert into import_issues (preview_id, row, "column", field, severity, code, message, value)
       select * from unnest($1::uuid[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [
        rows.map((row) => row.previewId),
        rows.map((row) => row.issue.row),
        rows.map((row) => row.issue.column),
        rows.map((row) => row.issue.field),
        rows.map((row) => row.issue.severity),
        rows.map((row) => row.issue.code),
        rows.map((row) => row.issue.message),
        rows.map((row) => row.issue.value),
      ],
    );
  }

  /**
   * Writes the plan, stamping each record with its provenance, after keeping the before-image of
   * every record it updates or restores; records what an undo needs in import_commits. All set-based.
   */
  private async apply(client: PoolClient, previews: ImportPreview[], analysis: Analysis, job: JobRecord): Promise<ImportOutcome> {
    const target = importTarget(previews[0].entity);
    const total = (pick: (summary: ImportSummary) => number) => analysis.summaries.reduce((sum, summary) => sum + pick(summary), 0);
    const fileNames = previews.map((preview) => preview.fileName);
    const { insert, update } = applySql(target, analysis.presentFields);
    let created = { count: 0, first_id: null as number | null, last_id: null as number | null };
    if (total((summary) => summary.create) > 0) [created] = (await client.query<typeof created>(insert, [job.id, fileNames])).rows;
    let updated = 0;
    if (total((summary) => summary.update) > 0) {
      await client.query(beforeImagesSql(target), [job.id]);
      updated = (await client.query(update, [job.id, fileNames])).rowCount ?? 0;
    }
    const restored = analysis.counts.reduce((sum, counts) => sum + (counts.outcomes[RowOutcome.Restore] ?? 0), 0);
    await this.recordCommit(client, previews, job, created, updated - restored, restored);
    return {
      created: created.count,
      updated,
      restored,
      unchanged: total((summary) => summary.unchanged),
      skipped: total((summary) => summary.skip),
      rejected: total((summary) => summary.invalidRows),
    };
  }

  /** What an undo needs besides the before-images: the import's row of import_commits. */
  private async recordCommit(
    client: PoolClient,
    previews: ImportPreview[],
    job: JobRecord,
    created: { count: number; first_id: number | null; last_id: number | null },
    updated: number,
    restored: number,
  ): Promise<void> {
    // now() is the transaction's timestamp: the created_at and updated_at of every record the import wrote.
    await client.query(
      `insert into import_commits (job_id, entity, created_by, file_names, written_at, first_created_id, last_created_id, created, updated, restored, undo_until)
       values ($1, $2, $3, $4, now(), $5, $6, $7, $8, $9, now() + make_interval(days => $10))`,
      [job.id, previews[0].entity, previews[0].createdBy, previews.map((preview) => preview.fileName), created.first_id, created.last_id, created.count, updated, restored, this.config.importUndoDays],
    );
  }

  /** The first rows an import leaves out, with their reasons, for the job's result. */
  private async firstRejectedRows(client: PoolClient, previews: ImportPreview[]): Promise<string[]> {
    const { rows } = await client.query<{ file_name: string; row: number; reason: string }>(
      `select p.file_name, i.row, string_agg(i.message, '; ' order by i.id) as reason
       from import_issues i join import_previews p on p.id = i.preview_id
       where i.preview_id = any($1::uuid[]) and i.row > 0 and (i.severity = 'error' or i.code = any($2::text[]))
       group by p.created_at, p.file_name, i.preview_id, i.row order by p.created_at, i.preview_id, i.row limit $3`,
      [idsOf(previews), [...SKIP_ISSUE_CODES], REJECTED_ROWS_IN_RESULT],
    );
    const prefix = (fileName: string) => (previews.length > 1 ? `${fileName} ` : '');
    return rows.map((row) => `${prefix(row.file_name)}row ${row.row}: ${row.reason}`);
  }

  /** The failure of an upload or directory import whose files cannot be committed: counts and the first issues. */
  private async refusal(client: PoolClient, previews: ImportPreview[], analysis: Analysis): Promise<JobFailedError> {
    const { rows } = await client.query<{ file_name: string; row: number; column: string | null; message: string }>(
      `select p.file_name, i.row, i."column", i.message from import_issues i join import_previews p on p.id = i.preview_id
       where i.preview_id = any($1::uuid[]) and i.severity = 'error' order by p.created_at, i.preview_id, i.row, i.id limit 20`,
      [previews.map((preview) => preview.id)],
    );
    const prefix = (fileName: string) => (previews.length > 1 ? `${fileName} ` : '');
    return new JobFailedError('The file cannot be committed: it has invalid rows and onInvalid is abort, or its header is unusable. Nothing was written; the preview lists every issue.', {
      counts: countsOf(analysis.summaries),
      errors: rows.map((row) => `${prefix(row.file_name)}row ${row.row}${row.column === null ? '' : ` (${row.column})`}: ${row.message}`),
      warnings: warningsOf(analysis),
      data: { previewIds: previews.map((preview) => preview.id), entity: previews[0].entity, summaries: analysis.summaries, code: 'invalid_rows' },
    });
  }

  /** After a rollback, outside it: the previews can no longer be committed. The job's own error is the one reported. */
  private async markFailed(previews: ImportPreview[]): Promise<void> {
    try {
      await this.previewRepository.markFailed(idsOf(previews));
    } catch (error) {
      this.logger.error({ err: error }, 'Could not mark the previews of a failed import as failed');
    }
  }
}

/** The verdict of the mass-change guard on a commit that was not confirmed; nothing was written. */
function massChangeRefusal(previews: ImportPreview[], massChange: MassChange): JobFailedError {
  return new JobFailedError(massChangeMessage(massChange), {
    errors: [massChangeMessage(massChange)],
    data: { previewIds: idsOf(previews), entity: previews[0].entity, massChange, code: 'mass_change_unconfirmed' },
  });
}

export function massChangeMessage({ changed, existing, percent, thresholdPercent, deactivated }: MassChange): string {
  const reasons = [
    ...(changed * 100 > thresholdPercent * existing ? [`it updates or restores ${changed} of ${existing} records (${percent} %, more than ${thresholdPercent} %)`] : []),
    ...(deactivated > 0 ? [`it deactivates ${deactivated} active students`] : []),
  ];
  return `Confirmation needed: ${reasons.join(' and ')}. Commit again with confirmMassChange: true to write it.`;
}

/** PostgreSQL refused a row for a unique constraint (SQLSTATE 23505). */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

function idsOf(previews: readonly ImportPreview[]): string[] {
  return previews.map((preview) => preview.id);
}

function countsOf(summaries: ImportSummary[]): Record<string, number> {
  const sum = (pick: (summary: ImportSummary) => number) => summaries.reduce((total, summary) => total + pick(summary), 0);
  return {
    totalRows: sum((summary) => summary.totalRows),
    created: sum((summary) => summary.create),
    updated: sum((summary) => summary.update),
    unchanged: sum((summary) => summary.unchanged),
    skipped: sum((summary) => summary.skip),
    rejected: sum((summary) => summary.invalidRows),
  };
}

function warningsOf(analysis: Analysis): string[] {
  return analysis.staged.flatMap((source) => source.headerIssues.filter((issue) => issue.severity === IssueSeverity.Warning).map((issue: RowIssue) => issue.message));
}

export function detectionOf(source: StagedSource): ImportDetection {
  return {
    format: source.detection.format,
    encoding: source.detection.encoding,
    delimiter: source.detection.delimiter,
    sheet: source.detection.sheet,
    columns: source.columns.map((column) => ({ index: column.index, column: column.header, field: column.field })),
  };
}

