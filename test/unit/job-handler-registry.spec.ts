import { JobHandlerRegistry } from '../../src/jobs/job-handler.registry';
import { SERVER_JOB_TYPES } from '../../src/jobs/job-payloads';
import { JobType } from '../../src/jobs/job.enums';

const done = async () => ({ message: 'done' });

describe('JobHandlerRegistry', () => {
  it('fails at start when a type the service always runs has no handler', () => {
    const registry = new JobHandlerRegistry();
    registry.register(JobType.Cleanup, done);
    const missing = SERVER_JOB_TYPES.filter((type) => type !== JobType.Cleanup);
    expect(missing).toContain(JobType.BulkImport);
    expect(() => registry.onApplicationBootstrap()).toThrow(`No handler is registered for ${missing.join(', ')} jobs`);
  });

  it('starts once every such type has one, and refuses a second handler for a type', () => {
    const registry = new JobHandlerRegistry();
    for (const type of SERVER_JOB_TYPES) registry.register(type, done);
    expect(() => registry.onApplicationBootstrap()).not.toThrow();
    expect(() => registry.register(JobType.Cleanup, done)).toThrow('A handler for cleanup jobs is already registered');
  });

  it('hands the handler its typed payload and stores a copy of its result data', async () => {
    const registry = new JobHandlerRegistry();
    const output = { entity: 'students', rows: 3 };
    registry.register(JobType.Custom, async (execution) => ({ message: String(execution.payload.source), data: output }), { attempts: 2 });
    const handler = registry.get(JobType.Custom)!;
    const execution = { payload: { source: 'test' }, attempt: 1, reportProgress: jest.fn(), throwIfCancelled: jest.fn() };
    const result = await handler.run({ ...execution, job: { parameters: execution.payload } as never });
    expect(result).toEqual({ message: 'test', data: output });
    expect(result.data).not.toBe(output);
    expect([handler.attempts, handler.backoffMs]).toEqual([2, 5_000]);
  });
});
