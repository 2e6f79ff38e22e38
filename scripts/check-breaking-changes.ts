/**
 * Fails when openapi/openapi.json breaks clients of the spec on the previous commit (HEAD~1, or
 * OPENAPI_BASE_REF), unless openapi/approved-breaking-changes.json lists each breaking change:
 * a client generated yesterday must keep working, or the break must be a decision on record.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiDiff from 'openapi-diff';
import { withDiscriminatedUnionsSplit } from './openapi-union-split';

const ROOT = join(__dirname, '..', '..');
const SPEC = 'openapi/openapi.json';
const APPROVALS = 'openapi/approved-breaking-changes.json';

interface Approval {
  /** The change as this script prints it: `<code> <location>`. */
  change: string;
  reason: string;
}

function previousSpec(ref: string): string | undefined {
  try {
    return execFileSync('git', ['show', `${ref}:${SPEC}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    // No such commit (a first commit, a shallow clone) or no spec in it: nothing to break.
    return undefined;
  }
}

async function main(): Promise<void> {
  const ref = process.env.OPENAPI_BASE_REF ?? 'HEAD~1';
  const before = previousSpec(ref);
  if (before === undefined) {
    console.log(`No ${SPEC} at ${ref}: no breaking-change check.`);
    return;
  }
  const outcome = await openapiDiff.diffSpecs({
    sourceSpec: { content: withDiscriminatedUnionsSplit(before), location: `${ref}:${SPEC}`, format: 'openapi3' },
    destinationSpec: { content: withDiscriminatedUnionsSplit(readFileSync(join(ROOT, SPEC), 'utf8')), location: SPEC, format: 'openapi3' },
  });
  if (!outcome.breakingDifferencesFound) {
    console.log(`No breaking change in ${SPEC} since ${ref}.`);
    return;
  }
  const approved = new Set((JSON.parse(readFileSync(join(ROOT, APPROVALS), 'utf8')) as Approval[]).map((approval) => approval.change));
  const changes = outcome.breakingDifferences.map((difference) => {
    const where = [...difference.sourceSpecEntityDetails, ...difference.destinationSpecEntityDetails][0]?.location ?? '';
    return `${difference.code} ${where}`;
  });
  const unapproved = [...new Set(changes)].filter((change) => !approved.has(change));
  if (unapproved.length === 0) {
    console.log(`${changes.length} breaking change(s) in ${SPEC} since ${ref}, each approved in ${APPROVALS}.`);
    return;
  }
  console.error(`Breaking changes in ${SPEC} since ${ref} that ${APPROVALS} does not approve:`);
  for (const change of unapproved) console.error(`  ${change}`);
  console.error(`Keep the API compatible, or add { "change": "<the line above>", "reason": "<why clients may break>" } to ${APPROVALS}.`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
