import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Extensions a directory import picks up; anything else in the directory is left alone. */
const DIRECTORY_EXTENSIONS = new Set(['.csv', '.tsv', '.txt', '.json', '.ndjson', '.jsonl', '.xlsx']);

/** The names of the files a directory import reads, sorted; a missing directory holds none. */
export async function importableFilesIn(directory: string): Promise<string[]> {
  const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const files: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || !DIRECTORY_EXTENSIONS.has(extname(name).toLowerCase())) continue;
    if ((await stat(join(directory, name))).isFile()) files.push(name);
  }
  return files;
}
