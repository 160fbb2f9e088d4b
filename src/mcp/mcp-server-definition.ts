/** Where an MCP server's tools come from: the operator's config, or one user's own list. */
export type McpServerSource = 'system' | 'user';

export type McpTransportName = 'streamable-http' | 'sse' | 'stdio';

/** Everything needed to connect to one MCP server; secrets included, so never shown as is. */
export interface McpServerDefinition {
  /** Identifies the connection in the pool; changes when the server's settings change. */
  connectionKey: string;
  /** The stored id for a user's server; the configured name for a system server. */
  id: string;
  name: string;
  source: McpServerSource;
  /** The owner of a user's server; undefined for system servers. */
  ownerId?: string;
  transport: McpTransportName;
  url?: string;
  /** Sent with every HTTP request (e.g. Authorization). */
  headers: Record<string, string>;
  /** stdio servers only (config file only). */
  process?: { command: string; args: string[]; env: Record<string, string>; cwd?: string };
  description?: string;
  /** Lowest permission level that may see and run its tools. */
  permissionLevel: number;
}

/** A tool as an MCP server lists it. */
export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}
