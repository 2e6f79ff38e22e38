import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { createHttpApp } from './app.factory';
import { AppModule } from './app.module';
import { loadConfigOrExit } from './config/load-config';
import { installProcessFailurePolicy } from './process-failures';

async function main(): Promise<void> {
  installProcessFailurePolicy();
  const config = loadConfigOrExit();
  if (config.role === 'worker') {
    // The worker role serves no HTTP; its queue processors come with the jobs module.
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true });
    context.useLogger(context.get(PinoLogger));
    context.enableShutdownHooks();
    new Logger('Main').log('Worker role started');
    return;
  }
  const app = await createHttpApp(config);
  await app.listen({ port: config.port, host: config.host });
  new Logger('Main').log(`Listening on ${await app.getUrl()} (role ${config.role}); API docs at /docs`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
