import { z } from 'zod';
import { booleanFromText, listFromText } from './setting-types.ts';
import { modelSettings } from './model-settings.ts';
import { mcpSettings, pluginSettings, toolSettings } from './tool-settings.ts';

export type { McpServerSetting } from './tool-settings.ts';
export type { ModelAliasTarget } from './model-settings.ts';

/**
 * Every setting Colloquy reads, in one schema. Environment variables and the optional config
 * file are mapped onto this shape by `load-config.ts`; nothing else reads `process.env`.
 */
const secretSchema = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes long');

export const configSchema = z.object({
  server: z
    .object({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.coerce.number().int().min(0).max(65_535).default(8080),
      /** Largest accepted request body, in bytes. */
      bodyLimit: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
      /** Trust X-Forwarded-For from a reverse proxy when computing client IPs. */
      trustProxy: booleanFromText.default(false),
    })
    .prefault({}),
  dataDir: z.string().min(1).default('./data'),
  database: z
    .object({
      /** `sqlite:<path>` (default `<dataDir>/colloquy.db`) or `postgres://…`. */
      url: z
        .string()
        .refine(
          (value) => /^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(value),
          'must start with sqlite:, postgres:// or postgresql://',
        )
        .optional(),
      /** PostgreSQL pool size. */
      poolSize: z.coerce.number().int().min(1).max(200).default(10),
    })
    .prefault({}),
  redis: z
    .object({
      url: z
        .string()
        .refine((value) => /^rediss?:\/\//.test(value), 'must start with redis:// or rediss://')
        .optional(),
    })
    .prefault({}),
  auth: z
    .object({
      /** HMAC secret for access tokens; generated into the data folder when absent. */
      jwtSecret: secretSchema.optional(),
      /** Key-encryption key for secrets at rest; generated into the data folder when absent. */
      encryptionKey: secretSchema.optional(),
      /** Earlier encryption keys, still accepted for decrypting so the current one can rotate. */
      previousEncryptionKeys: listFromText.default([]),
      accessTokenTtlSeconds: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
      refreshTokenTtlSeconds: z.coerce
        .number()
        .int()
        .min(300)
        .max(365 * 24 * 3600)
        .default(30 * 24 * 3600),
      registration: z.enum(['open', 'closed', 'admin-only']).default('open'),
      /** Permission level (1 READ_ONLY … 4 ADMIN) given to new accounts; Luxx's default is 1. */
      defaultPermissionLevel: z.coerce.number().int().min(1).max(4).default(1),
      /** argon2id cost; lower it only for tests. */
      passwordHashMemoryKib: z.coerce.number().int().min(1024).max(1_048_576).default(19_456),
      passwordHashIterations: z.coerce.number().int().min(1).max(20).default(2),
      loginMaxFailuresPerAccount: z.coerce.number().int().min(1).max(10_000).default(5),
      loginMaxFailuresPerIp: z.coerce.number().int().min(1).max(100_000).default(30),
      loginWindowSeconds: z.coerce.number().int().min(1).max(86_400).default(900),
      /** Guest API keys (anonymous POST /api/api-keys while registration is open) one IP may mint per window. */
      guestKeyMaxPerIp: z.coerce.number().int().min(1).max(100_000).default(5),
      guestKeyWindowSeconds: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
    })
    .prefault({}),
  admin: z
    .object({
      /** When all three are set, this admin account is created at start if it does not exist. */
      username: z.string().min(1).optional(),
      email: z.email().optional(),
      password: z.string().min(8).optional(),
    })
    .prefault({}),
  cors: z
    .object({
      /** Allowed origins: empty for none, `*` for any, or a comma-separated list. */
      origins: listFromText.default([]),
    })
    .prefault({}),
  web: z
    .object({
      /** A folder of static files (a built web app such as LLMChat's) served at `/`; API paths are never shadowed. */
      root: z.string().min(1).optional(),
    })
    .prefault({}),
  log: z
    .object({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  outbound: z
    .object({
      /**
       * Hosts, IP addresses and CIDR ranges that outbound requests may reach even though they are
       * private (e.g. a LAN Ollama). Everything else private, loopback or link-local is refused.
       */
      allowHosts: listFromText.default([]),
      connectTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
      /** Time allowed until the response headers arrive. */
      headersTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(120_000),
      /** Largest response body read from any outbound request, in bytes. */
      maxResponseBytes: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
      maxRedirects: z.coerce.number().int().min(0).max(5).default(5),
    })
    .prefault({}),
  chat: z
    .object({
      /** Most model calls in one turn's tool loop. */
      maxToolIterations: z.coerce.number().int().min(1).max(100).default(10),
      /** How often a generating answer's partial content is written to the database. */
      // At most 20 s: abandoned-answer sweeps wait 60 s for a row to be written.
      flushIntervalMs: z.coerce.number().int().min(50).max(20_000).default(1000),
      /** A streaming upstream that sends nothing for this long is abandoned. */
      idleTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(60_000),
      /** Retries of an upstream call that failed before its first token (429, 5xx, network). */
      maxRetries: z.coerce.number().int().min(0).max(10).default(2),
      retryBaseDelayMs: z.coerce.number().int().min(0).max(60_000).default(500),
      /** Longest wait between retries, including a Retry-After the upstream asks for. */
      retryMaxDelayMs: z.coerce.number().int().min(0).max(300_000).default(20_000),
      /** How long a finished turn's events stay available for resuming. */
      runLogRetentionSeconds: z.coerce.number().int().min(1).max(86_400).default(600),
      /** Context window assumed for models whose provider does not say. */
      defaultContextWindow: z.coerce.number().int().min(512).max(10_000_000).default(32_768),
      /** Longest content of one message a client may send (larger gets 413); files go as attachments. */
      maxMessageCharacters: z.coerce.number().int().min(1000).max(50_000_000).default(200_000),
    })
    .prefault({}),
  /** System providers from the environment; admins can add more through the API. */
  providers: z
    .object({
      openaiApiKey: z.string().min(1).optional(),
      openaiBaseUrl: z.url().optional(),
      anthropicApiKey: z.string().min(1).optional(),
      anthropicBaseUrl: z.url().optional(),
      googleApiKey: z.string().min(1).optional(),
      googleBaseUrl: z.url().optional(),
      ollamaBaseUrl: z.url().optional(),
      azureApiKey: z.string().min(1).optional(),
      azureResourceName: z.string().min(1).optional(),
      /** API keys for the named OpenAI-compatible presets, by preset name (e.g. deepseek). */
      presetApiKeys: z.record(z.string(), z.string().min(1)).default({}),
    })
    .prefault({}),
  tools: toolSettings,
  mcp: mcpSettings,
  plugins: pluginSettings,
  agents: z
    .object({
      /** A JSON or YAML file of system agents, read at start and by POST /api/agents/reload. */
      file: z.string().min(1).optional(),
    })
    .prefault({}),
  files: z
    .object({
      /** Where new file bytes go: `local` (the files folder) or `database`; by default local on SQLite, database on PostgreSQL. */
      store: z.enum(['local', 'database']).optional(),
      /** The local store's folder; default `<dataDir>/files`. */
      dir: z.string().min(1).optional(),
      /** Largest uploaded file, in decoded bytes. */
      maxFileBytes: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(15 * 1024 * 1024),
      /** Bytes of distinct file contents one user may keep; 0 for no limit. */
      userQuotaBytes: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1024 * 1024 * 1024),
      /** Longest text of one attached file handed to a model (the rest is cut, with a note). */
      promptTextMaxChars: z.coerce.number().int().min(100).max(10_000_000).default(32_000),
      promptMaxFiles: z.coerce.number().int().min(1).max(100).default(20),
      promptMaxBytes: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(32 * 1024 * 1024),
    })
    .prefault({}),
  models: modelSettings,
  /** Validate every response against its documented schema (tests turn this on). */
  validateResponses: booleanFromText.default(false),
});

export type Config = z.infer<typeof configSchema>;

/** Which environment variable feeds which setting (dotted path into the schema). */
export const environmentVariables: Record<string, string> = {
  HOST: 'server.host',
  PORT: 'server.port',
  COLLOQUY_BODY_LIMIT: 'server.bodyLimit',
  COLLOQUY_TRUST_PROXY: 'server.trustProxy',
  COLLOQUY_DATA_DIR: 'dataDir',
  DATABASE_URL: 'database.url',
  COLLOQUY_DATABASE_POOL_SIZE: 'database.poolSize',
  REDIS_URL: 'redis.url',
  COLLOQUY_JWT_SECRET: 'auth.jwtSecret',
  COLLOQUY_ENCRYPTION_KEY: 'auth.encryptionKey',
  COLLOQUY_PREVIOUS_ENCRYPTION_KEYS: 'auth.previousEncryptionKeys',
  COLLOQUY_ACCESS_TOKEN_TTL: 'auth.accessTokenTtlSeconds',
  COLLOQUY_REFRESH_TOKEN_TTL: 'auth.refreshTokenTtlSeconds',
  COLLOQUY_REGISTRATION: 'auth.registration',
  COLLOQUY_DEFAULT_PERMISSION_LEVEL: 'auth.defaultPermissionLevel',
  COLLOQUY_LOGIN_MAX_FAILURES_PER_ACCOUNT: 'auth.loginMaxFailuresPerAccount',
  COLLOQUY_LOGIN_MAX_FAILURES_PER_IP: 'auth.loginMaxFailuresPerIp',
  COLLOQUY_LOGIN_WINDOW_SECONDS: 'auth.loginWindowSeconds',
  COLLOQUY_GUEST_KEY_MAX_PER_IP: 'auth.guestKeyMaxPerIp',
  COLLOQUY_GUEST_KEY_WINDOW_SECONDS: 'auth.guestKeyWindowSeconds',
  COLLOQUY_ADMIN_USERNAME: 'admin.username',
  COLLOQUY_ADMIN_EMAIL: 'admin.email',
  COLLOQUY_ADMIN_PASSWORD: 'admin.password',
  COLLOQUY_CORS_ORIGINS: 'cors.origins',
  COLLOQUY_WEB_ROOT: 'web.root',
  LOG_LEVEL: 'log.level',
  COLLOQUY_OUTBOUND_ALLOW_HOSTS: 'outbound.allowHosts',
  COLLOQUY_OUTBOUND_CONNECT_TIMEOUT_MS: 'outbound.connectTimeoutMs',
  COLLOQUY_OUTBOUND_HEADERS_TIMEOUT_MS: 'outbound.headersTimeoutMs',
  COLLOQUY_OUTBOUND_MAX_RESPONSE_BYTES: 'outbound.maxResponseBytes',
  COLLOQUY_OUTBOUND_MAX_REDIRECTS: 'outbound.maxRedirects',
  COLLOQUY_MAX_TOOL_ITERATIONS: 'chat.maxToolIterations',
  COLLOQUY_FLUSH_INTERVAL_MS: 'chat.flushIntervalMs',
  COLLOQUY_UPSTREAM_IDLE_TIMEOUT_MS: 'chat.idleTimeoutMs',
  COLLOQUY_UPSTREAM_MAX_RETRIES: 'chat.maxRetries',
  COLLOQUY_UPSTREAM_RETRY_BASE_DELAY_MS: 'chat.retryBaseDelayMs',
  COLLOQUY_UPSTREAM_RETRY_MAX_DELAY_MS: 'chat.retryMaxDelayMs',
  COLLOQUY_RUN_LOG_RETENTION_SECONDS: 'chat.runLogRetentionSeconds',
  COLLOQUY_DEFAULT_CONTEXT_WINDOW: 'chat.defaultContextWindow',
  COLLOQUY_MAX_MESSAGE_CHARS: 'chat.maxMessageCharacters',
  COLLOQUY_AGENTS_FILE: 'agents.file',
  COLLOQUY_MODEL_ALIASES: 'models.aliases',
  OPENAI_API_KEY: 'providers.openaiApiKey',
  OPENAI_BASE_URL: 'providers.openaiBaseUrl',
  ANTHROPIC_API_KEY: 'providers.anthropicApiKey',
  ANTHROPIC_BASE_URL: 'providers.anthropicBaseUrl',
  GOOGLE_API_KEY: 'providers.googleApiKey',
  GOOGLE_BASE_URL: 'providers.googleBaseUrl',
  OLLAMA_BASE_URL: 'providers.ollamaBaseUrl',
  AZURE_API_KEY: 'providers.azureApiKey',
  AZURE_RESOURCE_NAME: 'providers.azureResourceName',
  DEEPSEEK_API_KEY: 'providers.presetApiKeys.deepseek',
  GROQ_API_KEY: 'providers.presetApiKeys.groq',
  OPENROUTER_API_KEY: 'providers.presetApiKeys.openrouter',
  MISTRAL_API_KEY: 'providers.presetApiKeys.mistral',
  XAI_API_KEY: 'providers.presetApiKeys.xai',
  TOGETHER_API_KEY: 'providers.presetApiKeys.together',
  FIREWORKS_API_KEY: 'providers.presetApiKeys.fireworks',
  MOONSHOT_API_KEY: 'providers.presetApiKeys.moonshot',
  DASHSCOPE_API_KEY: 'providers.presetApiKeys.dashscope',
  ZHIPU_API_KEY: 'providers.presetApiKeys.zhipu',
  SILICONFLOW_API_KEY: 'providers.presetApiKeys.siliconflow',
  PERPLEXITY_API_KEY: 'providers.presetApiKeys.perplexity',
  COLLOQUY_SEARXNG_URL: 'tools.searxngUrl',
  COLLOQUY_DUCKDUCKGO_URL: 'tools.duckduckgoUrl',
  COLLOQUY_SEARCH_MAX_RESULTS: 'tools.searchMaxResults',
  COLLOQUY_FETCH_MAX_BYTES: 'tools.fetchMaxBytes',
  COLLOQUY_FETCH_TIMEOUT_MS: 'tools.fetchTimeoutMs',
  COLLOQUY_FETCH_MAX_URLS: 'tools.fetchMaxUrls',
  COLLOQUY_WORKSPACE_DIR: 'tools.sandbox.workspaceDir',
  COLLOQUY_WORKSPACE_QUOTA_BYTES: 'tools.sandbox.workspaceQuotaBytes',
  COLLOQUY_WORKSPACE_MAX_ENTRIES: 'tools.sandbox.workspaceMaxEntries',
  COLLOQUY_FILE_READ_MAX_BYTES: 'tools.sandbox.fileReadMaxBytes',
  COLLOQUY_GREP_MAX_MATCHES: 'tools.sandbox.grepMaxMatches',
  COLLOQUY_PYTHON_WORKERS: 'tools.sandbox.pythonWorkers',
  COLLOQUY_PYTHON_TIMEOUT_MS: 'tools.sandbox.pythonTimeoutMs',
  COLLOQUY_PYTHON_MEMORY_MB: 'tools.sandbox.pythonMemoryMb',
  COLLOQUY_SHELL_TIMEOUT_MS: 'tools.sandbox.shellTimeoutMs',
  COLLOQUY_SHELL_MEMORY_MB: 'tools.sandbox.shellMemoryMb',
  COLLOQUY_SHELL_MAX_PROCESSES: 'tools.sandbox.shellMaxProcesses',
  COLLOQUY_SHELL_SANDBOX_UID: 'tools.sandbox.shellSandboxUid',
  COLLOQUY_SHELL_UID_RANGE: 'tools.sandbox.shellUidRange',
  COLLOQUY_SHELL_CONCURRENT_RUNS: 'tools.sandbox.shellConcurrentRuns',
  COLLOQUY_SANDBOX_RUNS_PER_USER: 'tools.sandbox.sandboxRunsPerUser',
  COLLOQUY_SANDBOX_QUEUED_PER_USER: 'tools.sandbox.sandboxQueuedPerUser',
  COLLOQUY_TOOL_OUTPUT_MAX_BYTES: 'tools.sandbox.toolOutputMaxBytes',
  COLLOQUY_FETCH_MAX_CHARS: 'tools.fetchMaxChars',
  COLLOQUY_MCP_SERVERS: 'mcp.servers',
  COLLOQUY_MCP_CALL_TIMEOUT_MS: 'mcp.callTimeoutMs',
  COLLOQUY_MCP_TOOL_LIST_CACHE_SECONDS: 'mcp.toolListCacheSeconds',
  COLLOQUY_MCP_MAX_RESPONSE_BYTES: 'mcp.maxResponseBytes',
  COLLOQUY_MCP_MAX_OUTPUT_CHARS: 'mcp.maxOutputChars',
  COLLOQUY_MCP_MAX_SERVERS_PER_USER: 'mcp.maxServersPerUser',
  COLLOQUY_PLUGIN_GATEWAY_TIMEOUT_MS: 'plugins.gatewayTimeoutMs',
  COLLOQUY_PLUGIN_GATEWAY_MAX_RESPONSE_BYTES: 'plugins.gatewayMaxResponseBytes',
  COLLOQUY_FILE_STORE: 'files.store',
  COLLOQUY_FILES_DIR: 'files.dir',
  COLLOQUY_MAX_FILE_BYTES: 'files.maxFileBytes',
  COLLOQUY_FILE_QUOTA_BYTES: 'files.userQuotaBytes',
  COLLOQUY_FILE_PROMPT_MAX_CHARS: 'files.promptTextMaxChars',
  COLLOQUY_FILE_PROMPT_MAX_FILES: 'files.promptMaxFiles',
  COLLOQUY_FILE_PROMPT_MAX_BYTES: 'files.promptMaxBytes',
};
