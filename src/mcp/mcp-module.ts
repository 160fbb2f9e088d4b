import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Config } from '../config/schema.ts';
import type { DiagnosticLog } from '../diagnostics.ts';
import type { GuardedHttpClient } from '../net/guarded-http-client.ts';
import { createSecretBox } from '../providers/secret-box.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import { createMcpConnectionPool } from './mcp-connection-pool.ts';
import { createMcpLobeOperations } from './mcp-lobe-operations.ts';
import { createMcpServerService } from './mcp-server-service.ts';
import { createMcpServersRepository } from './mcp-servers-repository.ts';
import { systemServerDefinitions } from './mcp-system-servers.ts';
import { createMcpToolSource } from './mcp-tool-source.ts';

export interface McpModuleDependencies {
  db: Kysely<DatabaseSchema>;
  config: {
    auth: { encryptionKey: string; previousEncryptionKeys: readonly string[] };
    mcp: Config['mcp'];
  };
  /** The guarded HTTP client: every MCP request over HTTP goes through it. */
  http: Pick<GuardedHttpClient, 'fetchWith'>;
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
  log: Pick<DiagnosticLog, 'warn'>;
}

/**
 * Everything about MCP, built once by the composition root:
 * - `toolSource`: the registry's ToolSource (`list(userId, signal)`), the user's MCP tools;
 * - `servers`: CRUD for users' own remote servers (`/api/mcp/servers`);
 * - `systemServers`: the operator's servers from the config;
 * - `lobe`: LobeChat's `tools.mcp` list and call;
 * - `close()`: closes every open MCP connection.
 */
export function createMcpModule(dependencies: McpModuleDependencies) {
  const { db, config, http, audit, newId, clock, log } = dependencies;
  const settings = config.mcp;
  const systemServers = systemServerDefinitions(settings.servers);
  const pool = createMcpConnectionPool({
    http,
    clock: () => clock().getTime(),
    settings: {
      callTimeoutMs: settings.callTimeoutMs,
      toolListCacheMs: settings.toolListCacheSeconds * 1000,
      maxResponseBytes: settings.maxResponseBytes,
    },
  });
  const repository = createMcpServersRepository(db);
  const servers = createMcpServerService({
    repository,
    secretBox: createSecretBox({ currentKey: config.auth.encryptionKey, previousKeys: config.auth.previousEncryptionKeys }),
    audit,
    newId,
    clock,
    systemServerNames: new Set(settings.servers.map((server) => server.name)),
    maxServersPerUser: settings.maxServersPerUser,
    onChanged: (userId, serverId) => pool.forget(`user:${userId}:${serverId}:`),
  });
  const serversFor = async (userId: string) => [...systemServers, ...(await servers.definitionsFor(userId))];
  const toolSource = createMcpToolSource({
    pool,
    serversFor,
    maxOutputChars: settings.maxOutputChars,
    reportError: (server, error) =>
      log.warn({ mcpServer: server.name, source: server.source, error: error instanceof Error ? error.message : String(error) }, 'MCP server could not list its tools'),
  });
  return {
    servers,
    systemServers,
    serversFor,
    toolSource,
    lobe: createMcpLobeOperations({ pool, serversFor, audit, maxOutputChars: settings.maxOutputChars }),
    close: () => pool.close(),
  };
}

export type McpModule = ReturnType<typeof createMcpModule>;
