import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { BackupCorruptError } from './backup-archive';
import { BACKUP_FORMAT, BackupManifest, BackupRecord } from './backup.types';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MANIFEST_FILE = new RegExp(`^(${UUID})\\.manifest\\.json$`);

/** A manifest file that cannot be read as one: listed as such, refused for restore. */
export class UnreadableManifestError extends BackupCorruptError {}

/** The inner manifest of a record: what the archive's `manifest.json` must hold. */
export function manifestOf(record: BackupRecord): BackupManifest {
  const { archive: _archive, ...manifest } = record;
  return manifest;
}

/**
 * The backups under BACKUP_DIR: `<id>.tar.gz` and, beside it, `<id>.manifest.json` (the
 * archive's manifest plus the archive's size and sha256). The manifest file is written last, so
 * a backup exists once its manifest does; names come from ids, never from a request's text.
 */
@Injectable()
export class BackupStore {
  readonly directory: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.directory = resolve(config.backupDirectory);
  }

  archivePathOf(id: string): string {
    return join(this.directory, `${id}.tar.gz`);
  }

  /** A part's compressed bytes while the backup is being taken. */
  partPathOf(id: string, file: string): string {
    return join(this.directory, `${id}.${file}.gz.partial`);
  }

  private manifestPathOf(id: string): string {
    return join(this.directory, `${id}.manifest.json`);
  }

  /** The record of a backup; undefined when there is none; UnreadableManifestError when its manifest is damaged. */
  async read(id: string): Promise<BackupRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.manifestPathOf(id), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let record: BackupRecord;
    try {
      record = JSON.parse(text) as BackupRecord;
    } catch {
      throw new UnreadableManifestError(`The manifest of backup ${id} is not valid JSON`);
    }
    if (record?.format !== BACKUP_FORMAT || record.id !== id || !Array.isArray(record.parts) || typeof record.archive?.sha256 !== 'string') {
      throw new UnreadableManifestError(`The manifest of backup ${id} is not a ${BACKUP_FORMAT} manifest`);
    }
    return record;
  }

  /** Every backup's id, from the manifests present. */
  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.flatMap((name) => MANIFEST_FILE.exec(name)?.[1] ?? []);
  }

  /** Writes the manifest under a temporary name and renames it: readers never see half of one. */
  async writeRecord(record: BackupRecord): Promise<void> {
    const path = this.manifestPathOf(record.id);
    await writeFile(`${path}.partial`, `${JSON.stringify(record, null, 2)}\n`);
    await rename(`${path}.partial`, path);
  }

  /** Reads the whole archive and compares its size and sha256 with the record's; BackupCorruptError if they differ or it is gone. */
  async verifyArchive(record: BackupRecord): Promise<void> {
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(createReadStream(this.archivePathOf(record.id)), async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          hash.update(chunk);
          size += chunk.length;
        }
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupCorruptError(`The archive of backup ${record.id} is missing`);
      throw error;
    }
    if (size !== record.archive.sizeBytes || hash.digest('hex') !== record.archive.sha256) {
      throw new BackupCorruptError(`The archive of backup ${record.id} does not match its sha256`);
    }
  }
}
