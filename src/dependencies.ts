import { createAgentModule } from './agents/agent-module.ts';
import { createAppModelModule } from './app-model/app-model-module.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createAccessTokens } from './auth/access-tokens.ts';
import { createApiKeysService } from './auth/api-keys-service.ts';
import { createMemoryAttemptCounter, type AttemptCounter } from './auth/attempt-counter.ts';
import { createAuthService } from './auth/auth-service.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { createGuestAccounts } from './auth/guest-accounts.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { createRedisAttemptCounter } from './auth/redis-attempt-counter.ts';
import { createUserAdminService } from './auth/user-admin-service.ts';
import { startAbandonedTurnSweep } from './chat/abandoned-turn-sweep.ts';
import { createChatService } from './chat/chat-service.ts';
import { createRunLog } from './chat/run-log/create-run-log.ts';
import { createTokenCounter } from './chat/token-counter.ts';
import type { ResolvedConfig } from './config/load-config.ts';
import { createDiagnosticLog } from './diagnostics.ts';
import { createFileModule } from './files/file-module.ts';
import { createGuardedHttpClient, type GuardedHttpClient } from './net/guarded-http-client.ts';
import { createMcpModule } from './mcp/mcp-module.ts';
import { createPluginModule } from './plugins/plugin-module.ts';
import { createProviderModule } from './providers/provider-module.ts';
import { createToolModule } from './tools/tool-module.ts';
import type { ToolDefinition } from './tools/tool-registry.ts';
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
import { createTurnRequestsRepository } from './storage/repositories/turn-requests-repository.ts';
import { createUsageRepository } from './storage/repositories/usage-repository.ts';
import { createUsersRepository } from './storage/repositories/users-repository.ts';

export interface DependencyOptions {
  /** Use this database instead of opening the configured one (tests pass a fresh one). */
  database?: Database;
  databaseOptions?: DatabaseOptions;
  clock?: () => Date;
  attemptCounter?: AttemptCounter;
  /** Prefix for every Redis key (default `colloquy:`); tests use one per run. */
  redisKeyPrefix?: string;
  /** The outbound HTTP client; the guarded one built from `config.outbound` when absent. */
  http?: Pick<GuardedHttpClient, 'fetchWith'> & Partial<Pick<GuardedHttpClient, 'close'>>;
  /** Tools beside the built-in ones (tests add fakes); one named like a built-in tool replaces it. */
  tools?: ToolDefinition[];
  /** Waits between upstream retries (tests shorten them). */
  sleep?: (milliseconds: number, signal: AbortSignal) => Promise<void>;
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
    turnRequests: createTurnRequestsRepository(db),
    usage: createUsageRepository(db),
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
  // StellarChat's anonymous key minting: guest accounts, while registration is open, limited per IP.
  const guests = createGuestAccounts({
    db, attempts: attemptCounter, audit, newId, clock,
    settings: {
      registration: config.auth.registration,
      defaultPermissionLevel: config.auth.defaultPermissionLevel,
      maxKeysPerIp: config.auth.guestKeyMaxPerIp,
      windowSeconds: config.auth.guestKeyWindowSeconds,
    },
  });
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

  const log = createDiagnosticLog();
  // The file store (uploads, attachments; LobeChat's files later): local folder or database bytes.
  const files = createFileModule({ database, config, newId, clock, log });
  // Every outbound request of the server goes through this one client (SSRF rules, caps).
  const http = options.http ?? createGuardedHttpClient(config.outbound);
  const providers = createProviderModule({ db, config, audit, newId, clock, http });
  // MCP servers (the operator's and users' own) and their tools; every HTTP request goes through `http`.
  const mcp = createMcpModule({ db, config, http, audit, newId, clock, log });
  // Every tool a model or the tools API can reach: built-in ones plus per-user sources (MCP).
  const tools = createToolModule({ config, http, audit, log, extraTools: options.tools });
  tools.sources.add(mcp.toolSource);
  // LobeChat plugins: per-user settings and the gateway (guarded client, no extra hosts).
  const plugins = createPluginModule({ db, config, http, audit, clock });
  const runLog = createRunLog({
    redis,
    keyPrefix: options.redisKeyPrefix ?? 'colloquy:',
    retentionSeconds: config.chat.runLogRetentionSeconds,
    reportError: (error: unknown) => log.error({ err: error }, 'run log error'),
  });
  const chat = createChatService({
    conversations: repositories.conversations,
    messages: repositories.messages,
    turnRequests: repositories.turnRequests,
    usage: repositories.usage,
    transaction: createConversationTransaction(db),
    runLog,
    models: providers.resolver,
    tools: tools.registry,
    audit,
    counter: createTokenCounter(),
    newId,
    clock,
    log,
    settings: config.chat,
    maxMessageCharacters: config.chat.maxMessageCharacters,
    sleep: options.sleep,
  });
  const sweep = startAbandonedTurnSweep({
    messages: repositories.messages,
    runLog,
    clock,
    log,
    staleAfterMs: 60_000,
    everyMs: 30_000,
    // Embedded storage has one process, so whatever is generating at start-up lost its runner.
    sweepAllAtStart: database.dialect === 'sqlite',
  });
  await sweep.initial;
  const agents = await createAgentModule({
    db, providers, http, conversations: repositories.conversations, chat, audit, newId, clock, log, agentsFile: config.agents.file,
  });
  const appModel = createAppModelModule({ database, chat, models: providers.resolver, newId, clock });

  return {
    config,
    database,
    clock,
    newId,
    repositories,
    redis,
    http,
    providers,
    tools,
    mcp,
    plugins,
    agents,
    appModel,
    fileStore: files,
    runLog,
    log,
    services: { authenticator, auth, audit, passwords, apiKeys, guests, userAdmin, conversations, chat, files: files.service },
    async close() {
      sweep.stop();
      try {
        await chat.close();
        await files.close();
        await runLog.close();
        await tools.close();
        await mcp.close();
        await http.close?.();
      } finally {
        try {
          await database.close();
        } finally {
          if (redis) await closeRedis(redis);
        }
      }
    },
  };
}

export type AppDependencies = Awaited<ReturnType<typeof createDependencies>>;
