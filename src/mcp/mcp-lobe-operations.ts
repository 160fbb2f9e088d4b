import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../auth/principal.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import type { McpConnectionPool } from './mcp-connection-pool.ts';
import { mcpFailure } from './mcp-errors.ts';
import { mcpResultText, type McpCallResult } from './mcp-result-text.ts';
import type { McpServerDefinition } from './mcp-server-definition.ts';
import { assertValidHeaders } from './mcp-header-rules.ts';
import type { McpConnection } from './mcp-connection.ts';
import { assertValidServerUrl } from './mcp-url-rules.ts';

/** Which server a LobeChat-style call means: a configured one, or an ad-hoc URL (LobeChat's `http` params). */
export type McpTarget = { server: string } | { url: string; name: string; headers?: Record<string, string> };

/** LobeChat's `LobeChatPluginApi`: a tool as its plugin system lists it. */
export interface LobePluginApi {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export interface McpCallOutcome {
  /** What LobeChat's `tools.mcp.callTool` answers: JSON text of the parsed single text part, or of the content. */
  result: string;
  /** The result as the model would see it (text parts joined, binaries described). */
  text: string;
  isError: boolean;
}

export interface McpLobeOperationsDependencies {
  pool: McpConnectionPool;
  serversFor(userId: string): Promise<McpServerDefinition[]>;
  audit: AuditLog;
  maxOutputChars: number;
}

/** Ad-hoc servers are users' servers: EXECUTE, and the guarded client with no extra hosts. */
const adHocPermissionLevel = 3;
const adHocKeyPrefix = 'adhoc:';

/** LobeChat's `tools.mcp.listTools` and `callTool`, over configured servers or an ad-hoc URL. */
export function createMcpLobeOperations(dependencies: McpLobeOperationsDependencies) {
  const { pool, audit } = dependencies;

  async function resolve(context: RequestContext, target: McpTarget): Promise<McpServerDefinition> {
    const principal = context.principal!;
    let server: McpServerDefinition | undefined;
    if ('server' in target) {
      const servers = await dependencies.serversFor(principal.user.id);
      server = servers.find((candidate) => candidate.id === target.server) ?? servers.find((candidate) => candidate.name === target.server);
      if (!server) throw notFound('MCP server');
    } else {
      // The same checks as a stored server's, before anything connects.
      assertValidServerUrl(target.url);
      const headers = target.headers ?? {};
      assertValidHeaders(headers);
      const digest = createHash('sha256').update(JSON.stringify([target.url, headers])).digest('base64url');
      server = {
        connectionKey: `${adHocKeyPrefix}${principal.user.id}:${digest}`, id: target.name, name: target.name, source: 'user',
        ownerId: principal.user.id, transport: 'streamable-http', url: target.url, headers, permissionLevel: adHocPermissionLevel,
      };
    }
    if (principal.permissionLevel < server.permissionLevel) {
      await audit.record(context, {
        action: 'tool.denied', result: 'denied', targetType: 'mcp_server', targetId: server.id,
        details: { server: server.name, required: server.permissionLevel, level: principal.permissionLevel },
      });
      throw new AppError('FORBIDDEN', `MCP server ${server.name} needs permission level ${server.permissionLevel}; yours is ${principal.permissionLevel}`);
    }
    return server;
  }

  /** A configured server's pooled connection; an ad-hoc server's own one, closed after the call. */
  function using<T>(server: McpServerDefinition, use: (connection: McpConnection) => Promise<T>): Promise<T> {
    const run = server.connectionKey.startsWith(adHocKeyPrefix) ? pool.withOwnConnection(server, use) : use(pool.connectionFor(server));
    return run.catch((error: unknown) => {
      throw mcpFailure(error, server.name);
    });
  }

  return {
    async listTools(context: RequestContext, target: McpTarget, signal?: AbortSignal): Promise<LobePluginApi[]> {
      const server = await resolve(context, target);
      const tools = await using(server, (connection) => connection.listTools(signal));
      return tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.inputSchema }));
    },

    async callTool(context: RequestContext, target: McpTarget, toolName: string, args: unknown, signal?: AbortSignal): Promise<McpCallOutcome> {
      const server = await resolve(context, target);
      const input = parseArguments(args);
      const result = await using(server, (connection) => connection.callTool(toolName, input, signal));
      const { output, isError } = mcpResultText(result, dependencies.maxOutputChars);
      await audit.record(context, {
        action: 'tool.execute', result: isError ? 'failure' : 'success', targetType: 'mcp_tool', targetId: `${server.name}/${toolName}`,
      });
      return { result: JSON.stringify(lobeResult(result)), text: output, isError };
    },
  };
}

/** LobeChat sends arguments as JSON text or as an object. */
function parseArguments(args: unknown): Record<string, unknown> {
  let value = args;
  if (typeof value === 'string') {
    try {
      value = value.trim() === '' ? {} : JSON.parse(value);
    } catch {
      throw new AppError('VALIDATION_ERROR', 'args must be a JSON object or JSON text of one');
    }
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new AppError('VALIDATION_ERROR', 'args must be a JSON object');
  return value as Record<string, unknown>;
}

/** LobeChat's reading of a result: an error as is; one text part parsed as JSON when it is JSON. */
function lobeResult(result: McpCallResult): unknown {
  if (result.isError === true) return result;
  const content = result.content as Array<{ type?: string; text?: string }> | undefined;
  if (!Array.isArray(content) || content.length !== 1) return content ?? [];
  const text = content[0]?.text;
  if (!text) return content;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
