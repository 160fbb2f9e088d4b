import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configSchema, environmentVariables, type Config } from './schema.ts';
import { loadOrCreateSecret } from './secrets.ts';

export type DatabaseTarget =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: string };

/** Configuration after defaults, derived paths and generated secrets are filled in. */
export type ResolvedConfig = Omit<Config, 'auth' | 'dataDir'> & {
  dataDir: string;
  databaseTarget: DatabaseTarget;
  auth: Config['auth'] & { jwtSecret: string; encryptionKey: string };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Environment = Record<string, string | undefined>;

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

function readConfigFile(environment: Environment, workingDirectory: string): Record<string, unknown> {
  const explicit = environment.COLLOQUY_CONFIG;
  const candidate = explicit ?? path.join(workingDirectory, 'colloquy.config.json');
  if (!existsSync(candidate)) {
    if (explicit) throw new ConfigError(`COLLOQUY_CONFIG: file not found: ${explicit}`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(candidate, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`${candidate}: must hold a JSON object`);
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${candidate}: not valid JSON (${(error as Error).message})`);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const dotted = issue.path.join('.');
  // A nested path (mcp.servers.0) is named by its setting's variable; the longest matching setting wins.
  const variable = Object.entries(environmentVariables).filter(([, setting]) => dotted === setting || dotted.startsWith(`${setting}.`)).sort(([, a], [, b]) => b.length - a.length)[0]?.[0];
  const name = variable ? `${dotted} (${variable})` : dotted || '(root)';
  return `invalid setting ${name}: ${issue.message}`;
}

/** Parses settings from the config file and environment (environment wins); throws ConfigError. */
export function parseConfig(environment: Environment, workingDirectory = process.cwd()): Config {
  const raw = readConfigFile(environment, workingDirectory);
  for (const [variable, setting] of Object.entries(environmentVariables)) {
    const value = environment[variable];
    if (value !== undefined && value !== '') setPath(raw, setting, value);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map(describeIssue).join('; '));
  }
  return result.data;
}

function databaseTargetFor(config: Config, dataDir: string): DatabaseTarget {
  const url = config.database.url;
  if (!url) return { dialect: 'sqlite', path: path.join(dataDir, 'colloquy.db') };
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (file === ':memory:') return { dialect: 'sqlite', path: ':memory:' };
    return { dialect: 'sqlite', path: path.resolve(file) };
  }
  return { dialect: 'postgres', url };
}

/** Fills in derived paths and loads or generates the secrets kept in the data folder. */
export function resolveConfig(config: Config, workingDirectory = process.cwd()): ResolvedConfig {
  const dataDir = path.resolve(workingDirectory, config.dataDir);
  const secretsDir = path.join(dataDir, 'secrets');
  return {
    ...config,
    dataDir,
    databaseTarget: databaseTargetFor(config, dataDir),
    auth: {
      ...config.auth,
      jwtSecret: config.auth.jwtSecret ?? loadOrCreateSecret(path.join(secretsDir, 'jwt-secret')),
      encryptionKey:
        config.auth.encryptionKey ?? loadOrCreateSecret(path.join(secretsDir, 'encryption-key')),
    },
  };
}

/** The one entry point that reads the process environment. */
export function loadConfig(environment: Environment = process.env): ResolvedConfig {
  return resolveConfig(parseConfig(environment));
}

/** Test and benchmark settings read from the environment, so nothing else touches process.env. */
export function readTestServices(environment: Environment = process.env): {
  postgresUrl?: string;
  redisUrl?: string;
  servicesRequired: boolean;
} {
  return {
    postgresUrl: environment.COLLOQUY_TEST_POSTGRES_URL || undefined,
    redisUrl: environment.COLLOQUY_TEST_REDIS_URL || undefined,
    servicesRequired: environment.CI === 'true' || environment.CI === '1',
  };
}
