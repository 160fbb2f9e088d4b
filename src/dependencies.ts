import { createAuditLog } from './audit/audit-log.ts';
import { createAccessTokens } from './auth/access-tokens.ts';
import { createApiKeysService } from './auth/api-keys-service.ts';
import { createMemoryAttemptCounter, type AttemptCounter } from './auth/attempt-counter.ts';
import { createAuthService } from './auth/auth-service.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { createRedisAttemptCounter } from './auth/redis-attempt-counter.ts';
import { createUserAdminService } from './auth/user-admin-service.ts';
import type { ResolvedConfig } from './config/load-config.ts';
import { createConversationService } from './conversations/conversation-service.ts';
import { openDatabase, type Database, type DatabaseOptions } from './storage/database.ts';
import { createIdGenerator } from './storage/ids.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { closeRedis, openRedis } from './storage/redis-connection.ts';
import { createApiKeysRepository } from './storage/repositories/api-keys-repository.ts';
import { createAuditRepository } from './storage/repositories/audit-repository.ts';
import { createAuthSessionsRepository } from './storage/repositories/auth-sessions-repository.ts';
import { createConversationTransaction } from './storage/repositories/conversation-transaction.ts';
import { createConversationsRepository } from './storage/repositories/conversations-repository.ts';
import { createMessagesRepository } from './storage/repositories/messages-repository.ts';
import { createUsersRepository } from './storage/repositories/users-repository.ts';

export interface DependencyOptions {
  /** Use this database instead of opening the configured one (tests pass a fresh one). */
  database?: Database;
  databaseOptions?: DatabaseOptions;
  clock?: () => Date;
  attemptCounter?: AttemptCounter;
  /** Prefix for every Redis key (default `colloquy:`); tests use one per run. */
  redisKeyPrefix?: string;
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
    conversations: createConversationsRepository(db),
    messages: createMessagesRepository(db),
  };

  const accessTokens = createAccessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
  const passwords = createPasswordHasher({
    memoryKib: config.auth.passwordHashMemoryKib,
    iterations: config.auth.passwordHashIterations,
  });
  const audit = createAuditLog({ repository: repositories.audit, newId, clock });
  // Redis is optional: with it, login limits are shared by every instance; without, kept in memory.
  const redis = config.redis.url ? openRedis(config.redis.url) : undefined;
  const attemptCounter =
    options.attemptCounter ??
    (redis ? createRedisAttemptCounter(redis, { keyPrefix: options.redisKeyPrefix }) : createMemoryAttemptCounter(clock));
  const loginLimiter = createLoginLimiter(attemptCounter, {
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

  const apiKeys = createApiKeysService({ apiKeys: repositories.apiKeys, audit, newId, clock });
  const userAdmin = createUserAdminService({
    users: repositories.users,
    sessions: repositories.sessions,
    auth,
    passwords,
    audit,
    clock,
  });

  const conversations = createConversationService({
    conversations: repositories.conversations,
    messages: repositories.messages,
    transaction: createConversationTransaction(db),
    newId,
    clock,
  });

  return {
    config,
    database,
    clock,
    newId,
    repositories,
    redis,
    services: { authenticator, auth, audit, passwords, apiKeys, userAdmin, conversations },
    async close() {
      try {
        await database.close();
      } finally {
        if (redis) await closeRedis(redis);
      }
    },
  };
}

export type AppDependencies = Awaited<ReturnType<typeof createDependencies>>;
