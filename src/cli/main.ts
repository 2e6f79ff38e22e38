import 'reflect-metadata';
import { loadConfigOrExit } from '../config/load-config';
import { CommandUsageError, createAdminCommand } from './create-admin.command';
import { purgeAuditCommand } from './purge-audit.command';
import { describeVerdict, verifyAuditCommand } from './verify-audit.command';

const USAGE = `Usage:
  npm run admin:create -- --email <email>
      The password is read from ADMIN_PASSWORD, or else from the first line of standard input.
  npm run audit:purge
      Removes audit rows older than AUDIT_RETENTION_DAYS (the purge itself is audited).
  npm run audit:verify -- <export.csv|export.ndjson> [--checkpoints <checkpoints.ndjson>]
      Verifies an exported audit trail and its checkpoints without a database; exits 1 on a failure.`;

async function readFirstLineOfStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function main(argv: string[]): Promise<void> {
  const [command, flag, email] = argv;
  if (command === 'audit-verify') {
    const [, file, option, checkpoints] = argv;
    if (file === undefined || (option !== undefined && (option !== '--checkpoints' || checkpoints === undefined))) throw new CommandUsageError(USAGE);
    const verdict = await verifyAuditCommand(file, { checkpoints });
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
