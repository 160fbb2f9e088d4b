import { z } from 'zod';

/**
 * Every setting Colloquy reads, in one schema. Environment variables and the optional config
 * file are mapped onto this shape by `load-config.ts`; nothing else reads `process.env`.
 */
const secretSchema = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes long');

const booleanFromText = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const lowered = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(lowered)) return false;
  return value;
}, z.boolean());

const listFromText = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry.length > 0)
      : value,
  z.array(z.string().min(1)),
);

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
  log: z
    .object({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
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
  COLLOQUY_ACCESS_TOKEN_TTL: 'auth.accessTokenTtlSeconds',
  COLLOQUY_REFRESH_TOKEN_TTL: 'auth.refreshTokenTtlSeconds',
  COLLOQUY_REGISTRATION: 'auth.registration',
  COLLOQUY_DEFAULT_PERMISSION_LEVEL: 'auth.defaultPermissionLevel',
  COLLOQUY_LOGIN_MAX_FAILURES_PER_ACCOUNT: 'auth.loginMaxFailuresPerAccount',
  COLLOQUY_LOGIN_MAX_FAILURES_PER_IP: 'auth.loginMaxFailuresPerIp',
  COLLOQUY_LOGIN_WINDOW_SECONDS: 'auth.loginWindowSeconds',
  COLLOQUY_ADMIN_USERNAME: 'admin.username',
  COLLOQUY_ADMIN_EMAIL: 'admin.email',
  COLLOQUY_ADMIN_PASSWORD: 'admin.password',
  COLLOQUY_CORS_ORIGINS: 'cors.origins',
  LOG_LEVEL: 'log.level',
};
