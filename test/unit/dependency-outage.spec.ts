import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { ReplyError } from 'ioredis';
import { Dependency, dependencyOutageOf } from '../../src/common/problem/dependency-outage';
import { toProblem } from '../../src/common/problem/problem-details.filter';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const reply = (message: string): Error => new ReplyError(message);

describe('dependencyOutageOf', () => {
  it.each([
    ['offline, offline queue disabled', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['out of retries', Object.assign(new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.'), { name: 'MaxRetriesPerRequestError' })],
    ['closed connection (ioredis, BullMQ)', new Error('Connection is closed.')],
    ['command timeout', new Error('Command timed out')],
    ['still loading', reply('LOADING Redis is loading the dataset in memory')],
    ['replica without master', reply('MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no')],
    ['read-only replica', reply("READONLY You can't write against a read only replica.")],
    ['out of memory', reply("OOM command not allowed when used memory > 'maxmemory'.")],
    ['cannot persist', reply('MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.')],
    ['busy script', reply('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.')],
  ])('names Redis for %s', (_case, error) => {
    expect(dependencyOutageOf(error)).toBe(Dependency.Redis);
  });

  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['unknown host', withCode('getaddrinfo ENOTFOUND db', 'ENOTFOUND')],
    ['terminated mid-query', new Error('Connection terminated unexpectedly')],
    ['connect timeout', new Error('timeout expired')],
    ['pool acquire timeout', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'), { name: 'KnexTimeoutError' })],
    ['admin shutdown 57P01', withCode('terminating connection due to administrator command', '57P01')],
    ['starting up 57P03', withCode('the database system is starting up', '57P03')],
    ['cannot connect 08006', withCode('connection failure', '08006')],
    ['too many connections 53300', withCode('sorry, too many clients already', '53300')],
    ['as MikroORM wraps it', new DriverException(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))],
  ])('names PostgreSQL for %s', (_case, error) => {
    expect(dependencyOutageOf(error)).toBe(Dependency.PostgreSql);
  });

  it('looks through the causes of a wrapping error', () => {
    const wrapped = new Error('Could not start the export', { cause: new Error('outer', { cause: new Error('Connection is closed.') }) });
    expect(dependencyOutageOf(wrapped)).toBe(Dependency.Redis);
  });

  it.each([
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['bad input refused by PostgreSQL', withCode('invalid byte sequence for encoding "UTF8": 0x00', '22021')],
    ['a constraint', new UniqueConstraintViolationException(withCode('duplicate key value', '23505'))],
    ['a Redis script error', reply('ERR Error running script (call to f_1234): bad argument')],
    ['a Redis reply that only starts like an outage', reply('BUSYGROUP Consumer Group name already exists')],
    ['a missing file', withCode("ENOENT: no such file or directory, open 'x'", 'ENOENT')],
    ['a thrown string', 'Connection is closed.'],
    ['nothing', undefined],
    ['a cause cycle', (() => { const error = new Error('a') as Error & { cause?: unknown }; error.cause = error; return error; })()],
  ])('leaves %s alone', (_case, error) => {
    expect(dependencyOutageOf(error)).toBeUndefined();
  });
});

describe('toProblem of an outage', () => {
  it.each([
    [new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'queue_unavailable'],
    [withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'database_unavailable'],
  ])('answers 503 with Retry-After and the code of the dependency, not its message', (error, code) => {
    const { body, headers } = toProblem(error, 'req-1');
    expect(body).toMatchObject({ status: 503, code, type: `urn:problem:sms:${code}`, title: 'Service Unavailable', instance: 'req-1' });
    expect(body.detail).not.toContain(error.message);
    expect(headers).toEqual({ 'Retry-After': '5' });
  });
});
