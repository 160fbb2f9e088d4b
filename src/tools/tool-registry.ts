import type { JSONSchema7 } from '@ai-sdk/provider';
import { permissionLevelName } from '../auth/permissions.ts';

/** Who is calling a tool, and the signal that aborts it with the turn. */
export interface ToolCallContext {
  userId: string;
  permissionLevel: number;
  conversationId?: string;
  toolCallId: string;
  signal: AbortSignal;
}

export interface ToolResult {
  /**
   * Text handed back to the model (JSON text for structured results). It is data: nothing parses
   * it for instructions, and it never changes a role or a permission.
   */
  output: string;
  isError: boolean;
}

/** One tool as the chat engine and the tools API see it. */
export interface ToolDefinition {
  name: string;
  description: string;
  category: string;
  /** Lowest permission level (1 READ_ONLY … 4 ADMIN) allowed to run it. */
  permissionLevel: number;
  inputSchema: JSONSchema7;
  execute(input: unknown, context: ToolCallContext): Promise<ToolResult>;
}

/**
 * Tools that differ per user and may change at any time (MCP servers a user or the operator
 * added). Names must not collide with built-in tools: MCP tools carry their server's prefix.
 */
export interface ToolSource {
  list(userId: string, signal?: AbortSignal): Promise<ToolDefinition[]>;
}

/** Why a tool call is not allowed, in words for the model or API client and a code for the audit. */
export interface ToolRefusal {
  reason: 'unknown_tool' | 'permission_level' | 'not_enabled';
  message: string;
}

/** Every tool a user can reach: the built-in ones plus the per-user sources. */
export interface ToolRegistry {
  /** Every tool this user's sources know, whatever its level (callers filter by level). */
  list(userId: string, signal?: AbortSignal): Promise<ToolDefinition[]>;
  /** The named tools this user may run; unknown names and tools above their level are left out. */
  available(userId: string, names: readonly string[], permissionLevel: number, signal?: AbortSignal): Promise<ToolDefinition[]>;
  find(userId: string, name: string, signal?: AbortSignal): Promise<ToolDefinition | undefined>;
  /** Why `name` cannot run for this user; `not_enabled` when it exists and the level suffices. */
  refusalFor(userId: string, name: string, permissionLevel: number): Promise<ToolRefusal>;
  addSource(source: ToolSource): void;
}

export interface ToolRegistryOptions {
  /** A source that fails to list is left out of that listing (one dead MCP server must not stop chats). */
  onSourceError?: (error: unknown) => void;
}

export const isAllowedAt = (tool: ToolDefinition, permissionLevel: number) => tool.permissionLevel <= permissionLevel;

/** A registry over fixed built-in tools plus dynamic per-user sources. */
export function createToolRegistry(builtIn: readonly ToolDefinition[], options: ToolRegistryOptions = {}): ToolRegistry {
  const byName = new Map<string, ToolDefinition>();
  for (const tool of builtIn) {
    if (byName.has(tool.name)) throw new Error(`two built-in tools are named ${tool.name}`);
    byName.set(tool.name, tool);
  }
  const sources: ToolSource[] = [];

  async function list(userId: string, signal?: AbortSignal): Promise<ToolDefinition[]> {
    const tools = [...byName.values()];
    const seen = new Set(byName.keys());
    const listed = await Promise.allSettled(sources.map((source) => source.list(userId, signal)));
    for (const outcome of listed) {
      if (outcome.status === 'rejected') {
        options.onSourceError?.(outcome.reason);
        continue;
      }
      for (const tool of outcome.value) {
        // First one wins: a source cannot shadow a built-in tool or an earlier source's tool.
        if (seen.has(tool.name)) continue;
        seen.add(tool.name);
        tools.push(tool);
      }
    }
    return tools;
  }

  async function find(userId: string, name: string, signal?: AbortSignal): Promise<ToolDefinition | undefined> {
    const builtInTool = byName.get(name);
    if (builtInTool || sources.length === 0) return builtInTool;
    return (await list(userId, signal)).find((tool) => tool.name === name);
  }

  return {
    list,
    find,
    async available(userId, names, permissionLevel, signal) {
      const wanted = [...new Set(names)];
      if (wanted.length === 0) return [];
      const needsSources = wanted.some((name) => !byName.has(name)) && sources.length > 0;
      const known = needsSources ? new Map((await list(userId, signal)).map((tool) => [tool.name, tool])) : byName;
      const chosen: ToolDefinition[] = [];
      for (const name of wanted) {
        const tool = known.get(name);
        if (tool && isAllowedAt(tool, permissionLevel)) chosen.push(tool);
      }
      return chosen;
    },
    async refusalFor(userId, name, permissionLevel) {
      const tool = await find(userId, name);
      if (!tool) return { reason: 'unknown_tool', message: `There is no tool named "${name}".` };
      if (!isAllowedAt(tool, permissionLevel)) {
        const needed = permissionLevelName(tool.permissionLevel);
        const held = permissionLevelName(permissionLevel);
        return {
          reason: 'permission_level',
          message: `Tool "${name}" needs the ${needed} permission level (${tool.permissionLevel}); this user has ${held} (${permissionLevel}).`,
        };
      }
      return { reason: 'not_enabled', message: `Tool "${name}" is not enabled in this conversation.` };
    },
    addSource(source) {
      sources.push(source);
    },
  };
}
