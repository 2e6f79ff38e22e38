import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config/load-config';
import { CommandUsageError, createAdminCommand } from './create-admin.command';
import { purgeAuditCommand } from './purge-audit.command';
import { describeVerdict, verifyAuditCommand } from './verify-audit.command';

const USAGE = `Usage:
  npm run admin:create -- --email <email>
      The password is read from ADMIN_PASSWORD, or else from the first line of standard input.
  npm run audit:purge
      Removes audit rows older than AUDIT_RETENTION_DAYS (the purge itself is audited).
  npm run audit:verify -- <export.csv|export.ndjson> [--checkpoints <checkpoints.ndjson>] [--public-key <hex>]...
      Verifies an exported audit trail and its checkpoints without a database; exits 1 on a failure.
      With --public-key (once per trusted key), a checkpoint signed with any other key fails.`;

async function readFirstLineOfStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function verifyArguments(argv: string[]): { file: string; checkpoints?: string; publicKeys: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { checkpoints: { type: 'string' }, 'public-key': { type: 'string', multiple: true } },
    });
    if (positionals.length !== 1) throw new CommandUsageError(USAGE);
    return { file: positionals[0], checkpoints: values.checkpoints, publicKeys: values['public-key'] ?? [] };
  } catch (error) {
    // parseArgs refuses unknown or incomplete options with its own TypeError: answer with the usage.
    if (error instanceof TypeError) throw new CommandUsageError(USAGE);
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, flag, email] = argv;
  if (command === 'audit-verify') {
    const { file, checkpoints, publicKeys } = verifyArguments(argv.slice(1));
    const verdict = await verifyAuditCommand(file, { checkpoints, publicKeys });
    console.log(describeVerdict(verdict));
    if (!verdict.valid) process.exitCode = 1;
    return;
  }
  if (command === 'audit-purge') {
    console.log(await purgeAuditCommand({ ...loadConfigOrExit(), logLevel: 'warn' }));
    return;
  }
  if (command !== 'create-admin' || flag !== '--email' || email === undefined) throw new CommandUsageError(USAGE);
  const password = process.env.ADMIN_PASSWORD ?? (await readFirstLineOfStandardInput());
  // ADMIN_PASSWORD here is this command's input, not the first-start pair the service validates.
  const config = loadConfigOrExit({ ...process.env, ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined });
  console.log(await createAdminCommand({ ...config, logLevel: 'warn' }, email, password));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof CommandUsageError ? 2 : 1);
});
