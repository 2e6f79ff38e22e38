import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentDigest } from '../common/stream/content-digest';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';

/** Layout of saved staged rows; raised whenever the columns of `import_stage` change. */
const STAGE_LAYOUT = 2;

export interface StoredFile {
  size: number;
  sha256: string;
}

/**
 * Keeps each upload, byte for byte, from its preview until its commit: the commit reads the very
 * file that was previewed. API and worker processes must share the directory.
 */
@Injectable()
export class ImportStorage {
  private readonly directory: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.directory = resolve(config.importStorageDirectory);
  }

  pathOf(previewId: string): string {
    return join(this.directory, `${previewId}.upload`);
  }

  /**
   * The preview's validated rows in PostgreSQL's COPY text format. The name carries the layout of
   * the staging table: a commit finds no saved rows of an older layout and reads the upload again.
   */
  stagePathOf(previewId: string): string {
    return join(this.directory, `${previewId}.stage-${STAGE_LAYOUT}`);
  }

  /** Writes the stream to the preview's file while hashing it; the caller removes the file if the upload turns out bad. */
  async save(previewId: string, content: Readable): Promise<StoredFile> {
    await mkdir(this.directory, { recursive: true });
    const digest = new ContentDigest();
    await pipeline(content, digest, createWriteStream(this.pathOf(previewId), { flags: 'wx' }));
    return { size: digest.size, sha256: digest.sha256() };
  }

  /** A copy of a server-side file (directory imports), so that later changes to it do not matter. */
  saveCopyOf(previewId: string, path: string): Promise<StoredFile> {
    return this.save(previewId, createReadStream(path));
  }

  async sha256Of(previewId: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(createReadStream(this.pathOf(previewId)), hash);
    return hash.digest('hex');
  }

  /** Removes every file of the previews, saved rows of older layouts included, reading the directory once. */
  async remove(...previewIds: string[]): Promise<void> {
    if (previewIds.length === 0) return;
    const names = await readdir(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const removed = new Set(previewIds);
    // A file name is `<preview id>.<kind>`.
    const files = names.filter((name) => removed.has(name.slice(0, name.indexOf('.'))));
    await Promise.all(files.map((name) => rm(join(this.directory, name), { force: true })));
  }
}
