import type { JSONSchema7 } from '@ai-sdk/provider';
import { AppError } from '../errors/app-error.ts';
import type { ToolDefinition } from '../tools/tool-registry.ts';
import type { McpConnectionPool } from './mcp-connection-pool.ts';
import { mcpFailure } from './mcp-errors.ts';
import { mcpResultText } from './mcp-result-text.ts';
import type { McpServerDefinition, McpToolInfo } from './mcp-server-definition.ts';
import { prefixedToolName } from './mcp-tool-names.ts';

export interface McpToolSourceDependencies {
  pool: McpConnectionPool;
  /** The operator's servers plus this user's own enabled ones. */
  serversFor(userId: string): Promise<McpServerDefinition[]>;
  maxOutputChars: number;
  /** Told when a server cannot list its tools; its tools are then left out of the list. */
  reportError(server: McpServerDefinition, error: unknown): void;
}

/** One MCP tool of one server, with the name models see. */
export interface McpListedTool {
  server: McpServerDefinition;
  tool: McpToolInfo;
  name: string;
}

/**
 * The MCP tools a user can reach, as tool definitions for the registry (the registry's
 * `ToolSource`): each named `<server>__<tool>`, at its server's permission level (EXECUTE unless
 * the operator set another for a system server). What a tool returns is data for the model and
 * nothing else.
 */
export function createMcpToolSource(dependencies: McpToolSourceDependencies) {
  const { pool } = dependencies;

  async function listServer(server: McpServerDefinition, signal?: AbortSignal): Promise<McpListedTool[]> {
    const tools = await pool.connectionFor(server).listTools(signal);
    return tools.map((tool) => ({ server, tool, name: prefixedToolName(server.name, tool.name) }));
  }

  /** Every tool of every server the user can reach; a server that fails is reported and skipped. */
  async function listTools(userId: string, signal?: AbortSignal): Promise<McpListedTool[]> {
    const servers = await dependencies.serversFor(userId);
    const lists = await Promise.all(
      servers.map((server) =>
        listServer(server, signal).catch((error: unknown) => {
          dependencies.reportError(server, error);
          return [];
        }),
      ),
    );
    return lists.flat();
  }

  function toDefinition(listed: McpListedTool): ToolDefinition {
    const { server, tool } = listed;
    return {
      name: listed.name,
      description: `${tool.description ?? tool.name} (MCP server ${server.name})`,
      category: 'mcp',
      permissionLevel: server.permissionLevel,
      inputSchema: { ...tool.inputSchema, type: 'object' } as JSONSchema7,
      async execute(input, context) {
        // The registry checks levels first; this is the second lock on the same door.
        if (context.permissionLevel < server.permissionLevel) {
          throw new AppError('FORBIDDEN', `${listed.name} needs permission level ${server.permissionLevel}`);
        }
        if (server.source === 'user' && server.ownerId !== context.userId) throw new AppError('NOT_FOUND', 'MCP server not found');
        const args = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
        try {
          const result = await pool.connectionFor(server).callTool(tool.name, args, context.signal);
          return mcpResultText(result, dependencies.maxOutputChars);
        } catch (error) {
          throw mcpFailure(error, server.name);
        }
      },
    };
  }

  return {
    listTools,
    listServer,
    /** The registry's ToolSource: this user's MCP tools as tool definitions. */
    async list(userId: string, signal?: AbortSignal): Promise<ToolDefinition[]> {
      return (await listTools(userId, signal)).map(toDefinition);
    },
    toDefinition,
  };
}

export type McpToolSource = ReturnType<typeof createMcpToolSource>;
