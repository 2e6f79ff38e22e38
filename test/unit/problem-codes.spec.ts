import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROBLEM_CODES } from '../../src/common/problem/problem-codes';

const SRC = join(__dirname, '..', '..', 'src');
const LIST = join(SRC, 'common', 'problem', 'problem-codes.ts');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The ways src writes a problem's code: ProblemException options (leaving out the field-level
 * codes of `errors: [...]`), the status-and-code tables below the routes, the conflict and
 * notFound factories, helpers called with a status and a code, and ImportFileError.
 */
const CONSTRUCTIONS: { pattern: RegExp; codes: (match: RegExpMatchArray) => string[] }[] = [
  {
    pattern: /new ProblemException\(\{([\s\S]*?)\}\)/g,
    codes: (match) => [...match[1].replace(/\[[\s\S]*?\]/g, '').matchAll(/\bcode: '([a-z_]+)'/g)].map((code) => code[1]),
  },
  { pattern: /status: \d{3},\s*code: '([a-z_]+)'/g, codes: (match) => [match[1]] },
  { pattern: /ProblemException\.conflict\(\s*'([a-z_]+)'/g, codes: (match) => [match[1]] },
  { pattern: /ProblemException\.notFound\([^;]*?,\s*'([a-z_]+)'\s*\)/g, codes: (match) => [match[1]] },
  { pattern: /\w+Problem\(\s*\d{3},\s*'([a-z_]+)'/g, codes: (match) => [match[1]] },
  { pattern: /new ImportFileError\(\s*'([a-z_]+)'/g, codes: (match) => [match[1]] },
];

describe('PROBLEM_CODES, the one list of problem codes', () => {
  const files = sourceFiles(SRC).filter((path) => path !== LIST);
  const listed = new Set<string>(PROBLEM_CODES);

  it('holds every code that src writes into a problem', () => {
    const missing: string[] = [];
    for (const path of files) {
      const source = readFileSync(path, 'utf8');
      for (const { pattern, codes } of CONSTRUCTIONS) {
        for (const match of source.matchAll(pattern)) {
          for (const code of codes(match)) if (!listed.has(code)) missing.push(`${relative(SRC, path)}: ${code}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('holds no code that src no longer writes', () => {
    const sources = files.map((path) => readFileSync(path, 'utf8')).join('\n');
    expect(PROBLEM_CODES.filter((code) => !sources.includes(`'${code}'`))).toEqual([]);
  });

  it('is sorted and without repeats, so a new code has one place to go', () => {
    expect([...PROBLEM_CODES]).toEqual([...listed].sort());
  });
});
