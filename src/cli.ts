import 'reflect-metadata';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { UsersService } from './auth/users.service';
import { MINIMUM_PASSWORD_LENGTH } from './config/environment';
import { loadConfigOrExit } from './config/load-config';

const USAGE = `Usage: npm run admin:create -- --email <email>
The password is read from ADMIN_PASSWORD, or from standard input (one line).`;

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function createAdmin(argv: string[]): Promise<void> {
  const emailIndex = argv.indexOf('--email');
  const email = emailIndex >= 0 ? argv[emailIndex + 1] : undefined;
  if (email === undefined || !email.includes('@')) throw new Error(USAGE);
  const password = process.env.ADMIN_PASSWORD ?? (await readStandardInput());
  if (password.length < MINIMUM_PASSWORD_LENGTH) throw new Error(`The password must be at least ${MINIMUM_PASSWORD_LENGTH} characters.`);

  // The CLI's own admin comes from its arguments, not from the environment's ADMIN_EMAIL.
  const config = { ...loadConfigOrExit(), adminEmail: undefined, adminPassword: undefined, logLevel: 'warn' as const };
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const created = await RequestContext.create(context.get(MikroORM).em, () => context.get(UsersService).ensureAdmin(email, password));
    console.log(created ? `Created admin ${email.toLowerCase()}.` : `A user ${email.toLowerCase()} already exists; nothing changed.`);
  } finally {
    await context.close();
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command !== 'create-admin') {
  console.error(USAGE);
  process.exit(2);
}
createAdmin(rest).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
