import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepExportFiles } from '../../src/exports/export-files.service';

describe('sweepExportFiles', () => {
  let directory: string;
  const live = '11111111-1111-4111-8111-111111111111';
  const expired = '22222222-2222-4222-8222-222222222222';

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'exports-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('removes the files (finished or partial) of jobs that no longer exist, and nothing else', async () => {
    for (const name of [`${live}.csv`, `${expired}.xlsx`, `${expired}.csv.partial`, 'notes.txt', `${expired}.exe`]) {
      await writeFile(join(directory, name), 'x');
    }
    const removed = await sweepExportFiles(directory, (jobId) => Promise.resolve(jobId === live));
    expect(removed.sort()).toEqual([`${expired}.csv.partial`, `${expired}.xlsx`]);
    expect((await readdir(directory)).sort()).toEqual([`${live}.csv`, `${expired}.exe`, 'notes.txt']);
  });

  it('does nothing when the directory does not exist yet', async () => {
    await expect(sweepExportFiles(join(directory, 'missing'), () => Promise.resolve(false))).resolves.toEqual([]);
  });
});
