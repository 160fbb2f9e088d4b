import { createAgentModule } from './agents/agent-module.ts';
import { createAppModelModule } from './app-model/app-model-module.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createAccessTokens } from './auth/access-tokens.ts';
import { createApiKeysService } from './auth/api-keys-service.ts';
import { createAuthService } from './auth/auth-service.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { createGuestAccounts } from './auth/guest-accounts.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { createRateLimiterFactory } from './auth/rate-limits.ts';
import { createUserAdminService } from './auth/user-admin-service.ts';
import { startAbandonedTurnSweep } from './chat/abandoned-turn-sweep.ts';
import { createChatService } from './chat/chat-service.ts';
import { createRunLog } from './chat/run-log/create-run-log.ts';
import { createTokenCounter } from './chat/token-counter.ts';
import type { ResolvedConfig } from './config/load-config.ts';
import { createDisposalStack } from './disposal-stack.ts';
import { createLogger, type AppLogger } from './logger.ts';
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
import { createLease } from './storage/leases/create-lease.ts';
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
  /** Prefix for every Redis key (default `colloquy:`); tests use one per run. */
  redisKeyPrefix?: string;
  /** The outbound HTTP client; the guarded one built from `config.outbound` when absent. */
  http?: Pick<GuardedHttpClient, 'fetchWith'> & Partial<Pick<GuardedHttpClient, 'close'>>;
  /** Tools beside the built-in ones (tests add fakes); one named like a built-in tool replaces it. */
  tools?: ToolDefinition[];
  /** Waits between upstream retries (tests shorten them). */
  sleep?: (milliseconds: number, signal: AbortSignal) => Promise<void>;
  /** Where log lines go (tests capture them); standard output when absent. */
  logStream?: NodeJS.WritableStream;
}

/**
 * The composition root's builder: every long-lived object is made here and handed down. There is
 * no module-level state anywhere else, so a test builds a whole app on a fresh database by
 * calling this with its own config.
 */
export async function createDependencies(config: ResolvedConfig, options: DependencyOptions = {}) {
  // The logger comes first, so whatever happens during start-up is logged with its rules.
  const logs = createLogger(config.log.level, options.logStream);
  // Everything opened is pushed here as it opens; a start that fails halfway closes what it opened.
  const disposals = createDisposalStack(logs.logger);
  try {
    return await buildDependencies(config, options, logs, disposals);
  } catch (error) {
    logs.logger.error({ err: error }, 'start-up failed; closing what was opened');
    await disposals.closeAll();
    throw error;
  }
}

async function buildDependencies(
  config: ResolvedConfig,
  options: DependencyOptions,
  logs: ReturnType<typeof createLogger>,
  disposals: ReturnType<typeof createDisposalStack>,
) {
  const log: AppLogger = logs.logger;
  const database = disposals.push('database',
    options.database ??
    openDatabase(config.databaseTarget, { poolSize: config.database.poolSize, ...options.databaseOptions }),
    (opened) => opened.close(),
  );
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
  }, log);
  const audit = createAuditLog({ repository: repositories.audit, newId, clock });
  // Redis is optional: with it, login limits are shared by every instance; without, kept in memory.
  const redis = config.redis.url ? disposals.push('redis', openRedis(config.redis.url), closeRedis) : undefined;
  const rateLimiters = createRateLimiterFactory(redis, options.redisKeyPrefix ?? 'colloquy:');
  const loginLimiter = createLoginLimiter(rateLimiters, {
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
    log,
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
    db, rateLimiters, audit, newId, clock,
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

  // The file store (uploads, attachments; LobeChat's files later): local folder or database bytes.
  // One instance of a deployment does each sweep run (Redis lock, PostgreSQL advisory lock, or local).
  const lease = createLease({
    database, redis, keyPrefix: options.redisKeyPrefix ?? 'colloquy:', reportError: (error: unknown) => log.error({ err: error }, 'lease error'),
  });
  const files = disposals.push('files', createFileModule({ database, config, newId, clock, log, lease }), (opened) => opened.close());
  // Every outbound request of the server goes through this one client (SSRF rules, caps).
  const http = disposals.push('outbound http client', options.http ?? createGuardedHttpClient(config.outbound), (opened) => opened.close?.());
  const providers = createProviderModule({ db, config, audit, newId, clock, http });
  // MCP servers (the operator's and users' own) and their tools; every HTTP request goes through `http`.
  const mcp = disposals.push('mcp', createMcpModule({ db, config, http, audit, newId, clock, log }), (opened) => opened.close());
  // Every tool a model or the tools API can reach: built-in ones plus per-user sources (MCP).
  const tools = disposals.push('tools', createToolModule({ config, http, audit, log, extraTools: options.tools }), (opened) => opened.close());
  tools.sources.add(mcp.toolSource);
  // LobeChat plugins: per-user settings and the gateway (guarded client, no extra hosts).
  const plugins = createPluginModule({ db, config, http, audit, clock });
  const runLog = disposals.push('run log', createRunLog({
    redis,
    keyPrefix: options.redisKeyPrefix ?? 'colloquy:',
    retentionSeconds: config.chat.runLogRetentionSeconds,
    reportError: (error: unknown) => log.error({ err: error }, 'run log error'),
  }), (opened) => opened.close());
  const counter = disposals.push('token counter', createTokenCounter(), (opened) => opened.close());
  const chat = disposals.push('chat', createChatService({
    conversations: repositories.conversations,
    messages: repositories.messages,
    turnRequests: repositories.turnRequests,
    usage: repositories.usage,
    transaction: createConversationTransaction(db),
    runLog,
    models: providers.resolver,
    tools: tools.registry,
    audit,
    counter,
    newId,
    clock,
    log,
    settings: config.chat,
    sleep: options.sleep,
  }), (opened) => opened.close());
  const sweep = disposals.push('abandoned-turn sweep', startAbandonedTurnSweep({
    messages: repositories.messages,
    runLog,
    lease,
    clock,
    log,
    staleAfterMs: 60_000,
    everyMs: 30_000,
    // Embedded storage has one process, so whatever is generating at start-up lost its runner.
    sweepAllAtStart: database.dialect === 'sqlite',
  }), (opened) => opened.stop());
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
    lease,
    sweeps: { abandonedTurns: sweep },
    log,
    services: { authenticator, auth, audit, passwords, apiKeys, guests, userAdmin, conversations, chat, files: files.service },
    logger: log,
    /** Waits (at most `timeoutMs`) until the log lines written so far are out; for the last moments before exit. */
    flushLogs: logs.flush,
    /** Closes everything in the reverse order it was opened. */
    close: () => disposals.closeAll(),
  };
}

export type AppDependencies = Awaited<ReturnType<typeof createDependencies>>;
