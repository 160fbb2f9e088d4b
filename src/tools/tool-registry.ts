import type { JSONSchema7 } from '@ai-sdk/provider';

/** Who is calling a tool, and the signal that aborts it with the turn. */
export interface ToolCallContext {
  userId: string;
  permissionLevel: number;
  conversationId?: string;
  toolCallId: string;
  signal: AbortSignal;
}

export interface ToolResult {
  /** Text handed back to the model (JSON text for structured results). */
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
 * The tools a turn may offer to its model. Real tools arrive with the tools issue; the chat
 * engine depends only on this interface.
 */
export interface ToolRegistry {
  /** The named tools this user may run; unknown names and tools above their level are left out. */
  available(names: readonly string[], permissionLevel: number): ToolDefinition[];
  find(name: string): ToolDefinition | undefined;
}

/** A registry over a fixed list of tools. */
export function createToolRegistry(tools: readonly ToolDefinition[]): ToolRegistry {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return {
    available(names, permissionLevel) {
      const chosen: ToolDefinition[] = [];
      for (const name of new Set(names)) {
        const tool = byName.get(name);
        if (tool && tool.permissionLevel <= permissionLevel) chosen.push(tool);
      }
      return chosen;
    },
    find: (name) => byName.get(name),
  };
}
