import 'reflect-metadata';
import { Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createApiClient, type ApiClient, type Schemas } from '../../../openapi/client';
import { createHttpApp } from '../../../src/app.factory';
import { parseEnvironment } from '../../../src/config/environment';
import { dropDatabase } from '../../../src/database/ensure-database';

export const ADMIN_EMAIL = 'admin@school.example';
export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const USER_PASSWORD = 'user-password-for-tests';

const POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  databaseUrl: string;
  /** Redis direct (not through `via`), for processes a test forks beside the app. */
  redisUrl: string;
  redisKeyPrefix: string;
  /** A client without a token. */
  anonymous: ApiClient;
  /** A client signed in as the configured admin (anonymous when started with signInAdmin: false). */
  admin: ApiClient;
  adminToken: string;
  login(email: string, password: string): Promise<string>;
  /** Creates a user with the role and returns a client signed in as them. */
  userWithRole(role: Schemas['Role']): Promise<{ client: ApiClient; token: string; user: Schemas['UserDto'] }>;
  client(token?: string): ApiClient;
  /** A second process of the same service (same database, Redis prefix and secret), as in a scaled-out deployment. */
  startPeer(): Promise<{ baseUrl: string; client(token?: string): ApiClient; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * Starts the real service on a random port, on a database and Redis key prefix of its own, so
 * test files can run in parallel and leave nothing behind.
 */
export async function startTestApp(
  name: string,
  environment: Record<string, string> = {},
  {
    signInAdmin = true,
    extraModules = [],
    via = {},
  }: {
    signInAdmin?: boolean;
    extraModules?: Type[];
    /** Where the app reaches PostgreSQL and Redis (such as a cuttable proxy); set-up and clean-up go direct. */
    via?: { postgres?: string; redis?: string };
  } = {},
): Promise<TestApp> {
  const suffix = `${name}_${process.pid}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const databaseUrl = `${POSTGRES}/sms_test_${suffix}`;
  const redisKeyPrefix = `sms_test:${suffix}:`;
  const config = parseEnvironment({
    NODE_ENV: 'test',
    DATABASE_URL: `${via.postgres ?? POSTGRES}/sms_test_${suffix}`,
    REDIS_URL: via.redis ?? REDIS,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    JWT_SECRET: `test-secret-${randomUUID()}`,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE: '100000',
    RATE_LIMIT_PER_USER_PER_MINUTE: '100000',
    RATE_LIMIT_HEAVY_PER_MINUTE: '100000',
    ...environment,
  });
  const app = await createHttpApp(config, { extraModules });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const client = (token?: string) => createApiClient(baseUrl, token);

  const login = async (email: string, password: string): Promise<string> => {
    const { data, response } = await client().POST('/api/v1/auth/login', { body: { email, password } });
    if (data === undefined) throw new Error(`login of ${email} failed with ${response.status}`);
    return data.accessToken;
  };
  const adminToken = signInAdmin ? await login(ADMIN_EMAIL, ADMIN_PASSWORD) : '';
  const admin = client(signInAdmin ? adminToken : undefined);

  return {
    app,
    baseUrl,
    databaseUrl,
    redisUrl: REDIS,
    redisKeyPrefix,
    anonymous: client(),
    admin,
    adminToken,
    login,
    client,
    async startPeer() {
      const peer = await createHttpApp({ ...config, adminEmail: undefined, adminPassword: undefined }, { extraModules });
      await peer.listen({ port: 0, host: '127.0.0.1' });
      const peerUrl = (await peer.getUrl()).replace('[::1]', '127.0.0.1');
      return { baseUrl: peerUrl, client: (token?: string) => createApiClient(peerUrl, token), close: () => peer.close() };
    },
    async userWithRole(role) {
      const email = `${role}-${randomUUID().slice(0, 8)}@school.example`;
      const { data: user, response } = await admin.POST('/api/v1/users', { body: { email, password: USER_PASSWORD, role } });
      if (user === undefined) throw new Error(`creating a ${role} failed with ${response.status}`);
      const token = await login(email, USER_PASSWORD);
      return { client: client(token), token, user };
    },
    async close() {
      await app.close();
      await dropDatabase(databaseUrl);
      const redis = new Redis(REDIS);
      try {
        const keys = await redis.keys(`${redisKeyPrefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}
