import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { ProblemException } from '../common/problem/problem.exception';
import { storableText } from '../common/validation/storable-text';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { JobDto } from '../jobs/dto/job.dto';
import { JobType } from '../jobs/job.enums';
import { JobsService } from '../jobs/jobs.service';
import { ImportBehaviourDto, ImportCommitDto, ImportIssueDto, ImportIssueQueryDto, ImportOptionsDto, ImportPreviewDto } from './dto/import-preview.dto';
import { importableFilesIn } from './import-directory';
import { ImportEntity, ImportUpload } from './import.types';
import { ImportPreviewStatus } from './import-options';
import { SKIP_ISSUE_CODES } from './import-plan';
import { ImportPreview } from './import-preview.entity';
import { ImportPreviewRepository } from './import-preview.repository';
import { CommitOptions, ImportRunner, massChangeMessage } from './import-runner.service';
import { ImportStorage } from './import-storage.service';
import { ImportFileError } from './readers/import-file.error';
import { openSource } from './readers/open-source';
import { rejectedRowsCsv } from './rejected-rows';

const REJECTED_PAGE_SIZE = 5_000;
const ISSUES_SHOWN_WITH_A_PREVIEW = 100;

const previewNotFound = (id: string): ProblemException => ProblemException.notFound(`Import preview ${id}`, 'preview_not_found');

/** The problem answer for a file that cannot be read; `fileName` names the file when a request has several. */
function fileProblem(error: ImportFileError, fileName?: string): ProblemException {
  const titles = { 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content' } as const;
  const detail = fileName === undefined ? error.message : `${fileName}: ${error.message}`;
  return new ProblemException({ status: error.status, code: error.code, title: titles[error.status], detail });
}

/** The imports API: uploads, previews, commits and directory imports, each as its user's own. */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger(ImportsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly previewRepository: ImportPreviewRepository,
    private readonly storage: ImportStorage,
    private readonly runner: ImportRunner,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores the upload, reads and checks every row, and answers the plan; writes no domain data. */
  async preview(upload: ImportUpload, user: AuthenticatedUser): Promise<ImportPreviewDto> {
    const preview = await this.open(upload, user, ImportPreviewStatus.Ready);
    try {
      await this.runner.preview(preview);
    } catch (error) {
      await this.discard(preview.id);
      throw error instanceof ImportFileError ? fileProblem(error) : error;
    }
    return this.get(preview.id, user, { limit: ISSUES_SHOWN_WITH_A_PREVIEW, offset: 0 });
  }

  /** Preview and commit in one call: the job checks the file, records its findings, and writes if it may. */
  async upload(upload: ImportUpload, user: AuthenticatedUser): Promise<JobDto> {
    const preview = await this.open(upload, user, ImportPreviewStatus.Committing);
    await this.probe(preview);
    return this.startJob([preview], { recheck: false, confirmMassChange: upload.options.confirmMassChange }, user);
  }

  /** Imports every file of IMPORT_DIR/<entity> as one job; the files are copied first, so later changes do not matter. */
  async importDirectory(entity: ImportEntity, behaviour: ImportBehaviourDto, user: AuthenticatedUser): Promise<JobDto> {
    const directory = resolve(this.config.importDirectory, entity);
    const files = await importableFilesIn(directory);
    if (files.length === 0) {
      throw new ProblemException({
        status: 422,
        code: 'import_directory_empty',
        title: 'Unprocessable Content',
        detail: `The ${entity} import directory holds no CSV, JSON, NDJSON or XLSX file.`,
      });
    }
    await this.sweepExpired();
    const previews: ImportPreview[] = [];
    for (const name of files) {
      const previewId = randomUUID();
      const stored = await this.storage.saveCopyOf(previewId, join(directory, name));
      const options = { entity, mode: behaviour.mode, onInvalid: behaviour.onInvalid };
      previews.push(await this.insert(user, { options, file: { ...stored, previewId, fileName: name } }, ImportPreviewStatus.Committing));
    }
    for (const preview of previews) await this.probe(preview, previews);
    return this.startJob(previews, { recheck: false, confirmMassChange: behaviour.confirmMassChange }, user);
  }

  async get(id: string, user: AuthenticatedUser, query: Pick<ImportIssueQueryDto, 'limit' | 'offset' | 'severity' | 'code'>): Promise<ImportPreviewDto> {
    const preview = await this.visible(id, user);
    preview.status = await this.settledStatus(preview);
    const conditions = ['preview_id = ?'];
    const parameters: unknown[] = [id];
    if (query.severity !== undefined) {
      conditions.push('severity = ?');
      parameters.push(query.severity);
    }
    if (query.code !== undefined) {
      conditions.push('code = ?');
      parameters.push(query.code);
    }
    const where = conditions.join(' and ');
    const connection = this.em.getConnection();
    const [{ total }] = await connection.execute<{ total: number }[]>(`select count(*)::integer as total from import_issues where ${where}`, parameters);
    const items = await connection.execute<ImportIssueDto[]>(
      `select row, "column", field, severity, code, message, value from import_issues where ${where} order by row, id limit ? offset ?`,
      [...parameters, query.limit, query.offset],
    );
    return {
      id: preview.id,
      entity: preview.entity,
      status: preview.status,
      mode: preview.mode,
      onInvalid: preview.onInvalid,
      fileName: preview.fileName,
      fileSize: preview.fileSize,
      sha256: preview.sha256,
      detected: (preview.detected as unknown as ImportPreviewDto['detected']) ?? null,
      summary: preview.summary ?? null,
      massChange: preview.massChange ?? null,
      canCommit: preview.canCommit && preview.status === ImportPreviewStatus.Ready,
      jobId: preview.jobId ?? null,
      createdAt: preview.createdAt,
      expiresAt: preview.expiresAt,
      issues: { items, total, limit: query.limit, offset: query.offset },
    };
  }

  /** Starts the job that writes exactly the previewed file; a preview commits once. */
  async commit(id: string, { confirmMassChange }: ImportCommitDto, user: AuthenticatedUser): Promise<JobDto> {
    const preview = await this.visible(id, user);
    if (preview.status !== ImportPreviewStatus.Ready) {
      throw ProblemException.conflict(
        'preview_already_committed',
        `This preview is ${preview.status}${preview.jobId ? ` (job ${preview.jobId})` : ''}; a preview commits once. Preview the file again to import it again.`,
      );
    }
    if (!preview.canCommit) {
      throw new ProblemException({
        status: 422,
        code: 'preview_not_committable',
        title: 'Unprocessable Content',
        detail: 'The preview has errors and onInvalid is abort (or its header is unusable); fix the file, or preview it again with onInvalid=skip.',
      });
    }
    if (preview.massChange?.confirmationNeeded && !confirmMassChange) {
      throw new ProblemException({
        status: 409,
        code: 'mass_change_unconfirmed',
        title: 'Conflict',
        detail: massChangeMessage(preview.massChange),
        extensions: { massChange: preview.massChange },
      });
    }
    // Only one of two racing commits moves the preview out of ready.
    if (!(await this.previewRepository.claimForCommit(id))) throw ProblemException.conflict('preview_already_committed', 'This preview is already being committed; a preview commits once.');
    return this.startJob([preview], { recheck: true, confirmMassChange }, user);
  }

  /** The rows the import leaves out (invalid or skipped), as in the file, with a reason column. */
  async rejectedRows(id: string, user: AuthenticatedUser): Promise<{ preview: ImportPreview; content: Readable }> {
    const preview = await this.visible(id, user);
    const connection = this.em.getConnection();
    const reasons = (afterRow: number) =>
      connection.execute<{ row: number; reason: string }[]>(
        `select row, string_agg(message, '; ' order by id) as reason from import_issues
         where preview_id = ? and row > ? and (severity = 'error' or code in (?)) group by row order by row limit ?`,
        [id, afterRow, [...SKIP_ISSUE_CODES], REJECTED_PAGE_SIZE],
      );
    return { preview, content: Readable.from(rejectedRowsCsv(this.storage.pathOf(id), preview.fileName, preview.sheet ?? null, reasons)) };
  }

  /** Removes expired previews (see ImportPreviewRepository.sweepExpired) with their files. */
  private async sweepExpired(): Promise<void> {
    await this.storage.remove(...(await this.previewRepository.sweepExpired()));
  }

  /** The preview of a received upload; the upload's stored file goes if the preview cannot be made. */
  private async open(upload: ImportUpload, user: AuthenticatedUser, status: ImportPreviewStatus): Promise<ImportPreview> {
    try {
      await this.sweepExpired();
      return await this.insert(user, upload, status);
    } catch (error) {
      await this.storage.remove(upload.file.previewId);
      throw error;
    }
  }

  private async insert(
    user: AuthenticatedUser,
    { options, file }: { options: Pick<ImportOptionsDto, 'entity' | 'mode' | 'onInvalid' | 'sheet'>; file: ImportUpload['file'] },
    status: ImportPreviewStatus,
  ): Promise<ImportPreview> {
    const em = this.em.fork();
    const preview = em.create(ImportPreview, {
      id: file.previewId,
      createdBy: user.id,
      entity: options.entity,
      mode: options.mode,
      onInvalid: options.onInvalid,
      sheet: options.sheet ?? null,
      // The name is the client's to choose: cut, then made storable, so a cut pair cannot leave a lone surrogate.
      fileName: storableText(file.fileName.slice(0, 255)),
      fileSize: file.size,
      sha256: file.sha256,
      status,
      canCommit: false,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + this.config.importPreviewTtlHours * 3_600_000),
    });
    await em.flush();
    return preview;
  }

  private async startJob(previews: ImportPreview[], options: CommitOptions, user: AuthenticatedUser): Promise<JobDto> {
    const job = await this.jobs.startServerJob(
      JobType.BulkImport,
      {
        previewIds: previews.map((preview) => preview.id),
        ...options,
        entity: previews[0].entity,
        mode: previews[0].mode,
        onInvalid: previews[0].onInvalid,
        files: previews.map((preview) => ({ fileName: preview.fileName, sha256: preview.sha256, size: preview.fileSize })),
      },
      user.id,
    );
    await this.previewRepository.attachJob(previews.map((preview) => preview.id), job.id);
    return job;
  }

  /**
   * A preview whose job ended without running its handler (cancelled while queued, or expired)
   * was never committed: it is marked failed when next read, not left committing.
   */
  private async settledStatus(preview: ImportPreview): Promise<ImportPreviewStatus> {
    if (preview.status !== ImportPreviewStatus.Committing || preview.jobId == null || (await this.jobs.mayComplete(preview.jobId))) return preview.status;
    await this.previewRepository.markFailed([preview.id]);
    return ImportPreviewStatus.Failed;
  }

  /**
   * Opens the stored file and reads its first batch, so that a file that cannot be read at all
   * (empty, wrong format, zip bomb...) is refused by the request rather than by a job later.
   */
  private async probe(preview: ImportPreview, batch: ImportPreview[] = [preview]): Promise<void> {
    try {
      const opened = await openSource(this.storage.pathOf(preview.id), { fileName: preview.fileName, sheet: preview.sheet ?? undefined });
      await opened.batches[Symbol.asyncIterator]().return?.();
    } catch (error) {
      for (const discarded of batch) await this.discard(discarded.id);
      if (!(error instanceof ImportFileError)) throw error;
      throw fileProblem(error, batch.length > 1 ? preview.fileName : undefined);
    }
  }

  private async visible(id: string, user: AuthenticatedUser): Promise<ImportPreview> {
    const preview = await this.em.fork().findOne(ImportPreview, { id, createdBy: user.id, expiresAt: { $gt: new Date() } });
    if (preview === null) throw previewNotFound(id);
    return preview;
  }

  private async discard(id: string): Promise<void> {
    await this.previewRepository.discard(id);
    await this.storage.remove(id).catch((error: unknown) => this.logger.error({ err: error }, `Could not remove the upload of preview ${id}`));
  }
}
