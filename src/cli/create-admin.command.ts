import { MikroORM, RequestContext } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { UsersService } from '../auth/users.service';
import { AppConfig, MINIMUM_PASSWORD_LENGTH } from '../config/environment';

export class CommandUsageError extends Error {}

/** Creates an admin account; an existing user with that email is left untouched. Returns what happened. */
export async function createAdminCommand(config: AppConfig, email: string, password: string): Promise<string> {
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized)) throw new CommandUsageError(`"${email}" is not an email address.`);
  if (password.length < MINIMUM_PASSWORD_LENGTH) {
    throw new CommandUsageError(`The password must be at least ${MINIMUM_PASSWORD_LENGTH} characters.`);
  }
  // The command's admin comes from its arguments, not from the environment's ADMIN_EMAIL.
  const commandConfig: AppConfig = { ...config, adminEmail: undefined, adminPassword: undefined };
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(commandConfig), { logger: ['error', 'warn'] });
  try {
    const users = context.get(UsersService);
    const created = await RequestContext.create(context.get(MikroORM).em, () => users.ensureAdmin(normalized, password));
    return created ? `Created admin ${normalized}.` : `A user ${normalized} already exists; nothing changed.`;
  } finally {
    await context.close();
  }
}
