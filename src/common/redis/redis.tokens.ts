/** Injection token of the shared ioredis connection. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
