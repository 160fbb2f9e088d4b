import { createAuditLog } from './audit/audit-log.ts';
import { createAccessTokens } from './auth/access-tokens.ts';
import { createMemoryAttemptCounter, type AttemptCounter } from './auth/attempt-counter.ts';
import { createAuthService } from './auth/auth-service.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import type { ResolvedConfig } from './config/load-config.ts';
import { openDatabase, type Database, type DatabaseOptions } from './storage/database.ts';
import { createIdGenerator } from './storage/ids.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { createApiKeysRepository } from './storage/repositories/api-keys-repository.ts';
import { createAuditRepository } from './storage/repositories/audit-repository.ts';
import { createAuthSessionsRepository } from './storage/repositories/auth-sessions-repository.ts';
import { createUsersRepository } from './storage/repositories/users-repository.ts';

export interface DependencyOptions {
  /** Use this database instead of opening the configured one (tests pass a fresh one). */
  database?: Database;
  databaseOptions?: DatabaseOptions;
  clock?: () => Date;
  attemptCounter?: AttemptCounter;
}

/**
 * The composition root's builder: every long-lived object is made here and handed down. There is
 * no module-level state anywhere else, so a test builds a whole app on a fresh database by
 * calling this with its own config.
 */
export async function createDependencies(config: ResolvedConfig, options: DependencyOptions = {}) {
  const database =
    options.database ??
    openDatabase(config.databaseTarget, { poolSize: config.database.poolSize, ...options.databaseOptions });
  await migrateToLatest(database);

  const clock = options.clock ?? (() => new Date());
  const newId = createIdGenerator();
  const { db } = database;

  const repositories = {
    users: createUsersRepository(db),
    sessions: createAuthSessionsRepository(db),
    apiKeys: createApiKeysRepository(db),
    audit: createAuditRepository(db),
  };

  const accessTokens = createAccessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
  const passwords = createPasswordHasher({
    memoryKib: config.auth.passwordHashMemoryKib,
    iterations: config.auth.passwordHashIterations,
  });
  const audit = createAuditLog({ repository: repositories.audit, newId, clock });
  const loginLimiter = createLoginLimiter(options.attemptCounter ?? createMemoryAttemptCounter(clock), {
    maxFailuresPerAccount: config.auth.loginMaxFailuresPerAccount,
    maxFailuresPerIp: config.auth.loginMaxFailuresPerIp,
    windowSeconds: config.auth.loginWindowSeconds,
  });

  const authenticator = createAuthenticator({
    users: repositories.users,
    sessions: repositories.sessions,
    apiKeys: repositories.apiKeys,
    accessTokens,
    clock,
  });
  const auth = createAuthService({
    users: repositories.users,
    sessions: repositories.sessions,
    accessTokens,
    passwords,
    loginLimiter,
    audit,
    newId,
    clock,
    settings: {
      registration: config.auth.registration,
      refreshTokenTtlSeconds: config.auth.refreshTokenTtlSeconds,
      defaultPermissionLevel: config.auth.defaultPermissionLevel,
    },
  });

  return {
    config,
    database,
    clock,
    newId,
    repositories,
    services: { authenticator, auth, audit, passwords },
    async close() {
      await database.close();
    },
  };
}

export type AppDependencies = Awaited<ReturnType<typeof createDependencies>>;
