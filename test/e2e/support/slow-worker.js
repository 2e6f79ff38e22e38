// A worker process for the crash test: the built service in the worker role, plus a slow
// migration handler. Run with the test's environment; killed with SIGKILL mid-job.
require('reflect-metadata');
const { Injectable, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const dist = (path) => require(`../../../dist/src/${path}`);
const { AppModule } = dist('app.module');
const { parseEnvironment } = dist('config/environment');
const { JobHandlerRegistry } = dist('jobs/job-handler.registry');
const { JobsModule } = dist('jobs/jobs.module');

class SlowHandler {
  constructor(registry) {
    this.registry = registry;
  }

  onModuleInit() {
    this.registry.register('migration', async (execution) => {
      const steps = execution.job.parameters.steps;
      for (let step = 1; step <= steps; step += 1) {
        await execution.throwIfCancelled();
        await new Promise((resolve) => setTimeout(resolve, 200));
        await execution.reportProgress({ processed: step, total: steps, message: `pid ${process.pid}` });
      }
      return { message: `Finished in ${process.pid}`, counts: { steps } };
    });
  }
}
Injectable()(SlowHandler);
Reflect.defineMetadata('design:paramtypes', [JobHandlerRegistry], SlowHandler);

class SlowHandlerModule {}
Module({ imports: [JobsModule], providers: [SlowHandler] })(SlowHandlerModule);

NestFactory.createApplicationContext(AppModule.forRoot(parseEnvironment(process.env), [SlowHandlerModule]), { logger: ['error'] })
  .then((context) => {
    context.enableShutdownHooks();
    process.send?.('ready');
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
