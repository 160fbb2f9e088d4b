import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { parseConfig, resolveConfig, type ResolvedConfig } from '../../src/config/load-config.ts';
import { createDependencies, type AppDependencies, type DependencyOptions } from '../../src/dependencies.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import type { Database } from '../../src/storage/database.ts';

export interface TestApp {
  app: App;
  dependencies: AppDependencies;
  config: ResolvedConfig;
  /** Every log line the app wrote. */
  logs: string[];
  close(): Promise<void>;
}

/** Settings for tests: cheap password hashing, a temp data folder, responses checked against schemas. */
export function testEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    COLLOQUY_JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    COLLOQUY_ENCRYPTION_KEY: 'test-encryption-key-that-is-long-enough-012345',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

export async function createTestApp(
  database: Database,
  options: { env?: Record<string, string>; dependencies?: DependencyOptions } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colloquy-test-'));
  const parsed = parseConfig(testEnvironment({ COLLOQUY_DATA_DIR: dataDir, ...options.env }), dataDir);
  const config = resolveConfig(
    { ...parsed, validateResponses: true, auth: { ...parsed.auth, passwordHashMemoryKib: 1024, passwordHashIterations: 1 } },
    dataDir,
  );
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const dependencies = await createDependencies(config, { ...options.dependencies, database, logStream });
  const app = await buildApp(dependencies);
  await app.ready();
  return {
    app,
    dependencies,
    config,
    logs,
    async close() {
      await app.close();
      const prefix = options.dependencies?.redisKeyPrefix;
      const redis = dependencies.redis;
      // A test's Redis keys go with it (run logs would otherwise linger until they expire).
      if (redis && prefix) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      await dependencies.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function json<T = any>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}

/** Strictly increasing milliseconds, so every write gets its own timestamp and ordering by time is observable. */
export function steppingClock(): () => Date {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return new Date(last);
  };
}

let userCounter = 0;

/** Registers and logs in a fresh user; returns its tokens and id. */
export async function signUp(
  app: App,
  fields: { username?: string; email?: string; password?: string } = {},
): Promise<{ id: string; username: string; password: string; token: string; refreshToken: string }> {
  userCounter += 1;
  const username = fields.username ?? `user${process.pid}x${userCounter}`;
  const password = fields.password ?? 'correct horse battery';
  const email = fields.email ?? `${username}@example.test`;
  const registered = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { username, email, password } });
  if (registered.statusCode !== 200) throw new Error(`register failed: ${registered.body}`);
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const data = json(login).data;
  return { id: data.user.id, username, password, token: data.token, refreshToken: data.refreshToken };
}
