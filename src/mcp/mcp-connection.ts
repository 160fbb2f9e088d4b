import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isMcpProtocolError, mcpConnectionClosed } from './mcp-errors.ts';
import type { GuardedHttpClient } from '../net/guarded-http-client.ts';
import { serviceInfo } from '../service-info.ts';
import type { McpCallResult } from './mcp-result-text.ts';
import type { McpServerDefinition, McpToolInfo } from './mcp-server-definition.ts';

export interface McpConnectionSettings {
  callTimeoutMs: number;
  toolListCacheMs: number;
  maxResponseBytes: number;
}

export interface McpConnectionDependencies {
  http: Pick<GuardedHttpClient, 'fetchWith'>;
  settings: McpConnectionSettings;
  clock: () => number;
}

/** One MCP server's client: connected on first use, reconnected after a failure. */
export interface McpConnection {
  readonly definition: McpServerDefinition;
  listTools(signal?: AbortSignal): Promise<McpToolInfo[]>;
  callTool(toolName: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult>;
  close(): Promise<void>;
}

const clientInfo = { name: 'colloquy', version: serviceInfo.version };

/** How long a failed tool listing is remembered before the server is tried again. */
const failureBackoffMs = 10_000;

/**
 * Every HTTP request of the MCP SDK goes through the guarded client. A system server (chosen by
 * the operator) may reach its own host even when private, as system providers may; a user's
 * server gets the operator's allow-list only, so the SSRF rules apply in full.
 */
// The MCP SDK is loaded on the first connection: most servers never use MCP, and it is large.
async function transportFor(definition: McpServerDefinition, dependencies: McpConnectionDependencies): Promise<Transport> {
  if (definition.transport === 'stdio') {
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const spawn = definition.process!;
    // Only the SDK's minimal inherited variables (PATH, HOME, …) plus the configured ones.
    return new StdioClientTransport({ command: spawn.command, args: spawn.args, env: spawn.env, cwd: spawn.cwd, stderr: 'ignore' });
  }
  const url = new URL(definition.url!);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const fetch = dependencies.http.fetchWith({
    maxResponseBytes: dependencies.settings.maxResponseBytes,
    headersTimeoutMs: dependencies.settings.callTimeoutMs,
    ...(definition.source === 'system' ? { extraAllowedHosts: [host] } : {}),
  });
  const requestInit = { headers: definition.headers };
  if (definition.transport === 'sse') {
    const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
    return new SSEClientTransport(url, { fetch, requestInit });
  }
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  return new StreamableHTTPClientTransport(url, { fetch, requestInit, reconnectionOptions: noStreamRetries });
}

/** The optional server-to-client stream is not needed for tools; do not keep retrying it. */
const noStreamRetries = { maxReconnectionDelay: 1000, initialReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1, maxRetries: 0 };

export function createMcpConnection(definition: McpServerDefinition, dependencies: McpConnectionDependencies): McpConnection {
  const { settings, clock } = dependencies;
  let client: Promise<Client> | undefined;
  let toolCache: { at: number; tools: McpToolInfo[] } | undefined;
  // A server that just failed to list is not asked again at once: every turn would wait for it.
  let listFailure: { at: number; error: unknown } | undefined;

  const requestOptions = (signal?: AbortSignal) => ({ timeout: settings.callTimeoutMs, signal });

  function connected(signal?: AbortSignal): Promise<Client> {
    if (!client) {
      let fresh: Client | undefined;
      const opening: Promise<Client> = (async () => {
        const { Client: McpClient } = await import('@modelcontextprotocol/sdk/client/index.js');
        const created = new McpClient(clientInfo, { capabilities: {} });
        fresh = created;
        // A closed transport (server gone, stream cut) means the next use connects again.
        created.onclose = () => {
          if (client === opening) client = undefined;
        };
        await created.connect(await transportFor(definition, dependencies), requestOptions(signal));
        return created;
      })();
      client = opening;
      opening.catch(() => {
        if (client === opening) client = undefined;
        void fresh?.close().catch(() => undefined);
      });
    }
    return client;
  }

  /** Drops a client whose transport failed, so the next use reconnects. Protocol errors keep it. */
  async function discardAfter(error: unknown, current: Promise<Client> | undefined): Promise<void> {
    if (isMcpProtocolError(error) && error.code !== mcpConnectionClosed) return;
    if (current && client === current) {
      client = undefined;
      toolCache = undefined;
      await current.then((stale) => stale.close()).catch(() => undefined);
    }
  }

  async function fetchTools(signal?: AbortSignal): Promise<McpToolInfo[]> {
    const open = await connected(signal);
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    // A bounded number of pages: a server that keeps paging is not trusted to end.
    for (let page = 0; page < 20; page++) {
      const listed = await open.listTools(cursor ? { cursor } : undefined, requestOptions(signal));
      for (const tool of listed.tools) {
        tools.push({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema as Record<string, unknown> });
      }
      cursor = listed.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }

  return {
    definition,
    async listTools(signal) {
      if (toolCache && clock() - toolCache.at < settings.toolListCacheMs) return toolCache.tools;
      if (listFailure && clock() - listFailure.at < failureBackoffMs) throw listFailure.error;
      let tools: McpToolInfo[];
      try {
        try {
          tools = await fetchTools(signal);
        } catch (error) {
          if (signal?.aborted) throw error;
          // One fresh connection is worth a try (an expired session, a restarted server).
          await discardAfter(error, client);
          tools = await fetchTools(signal);
        }
      } catch (error) {
        if (!signal?.aborted) listFailure = { at: clock(), error };
        throw error;
      }
      listFailure = undefined;
      toolCache = { at: clock(), tools };
      return tools;
    },
    async callTool(toolName, args, signal) {
      const current = connected(signal);
      try {
        const open = await current;
        // Not retried: a call may have side effects, and a repeat would do them twice.
        return (await open.callTool({ name: toolName, arguments: args }, undefined, requestOptions(signal))) as McpCallResult;
      } catch (error) {
        await discardAfter(error, current);
        throw error;
      }
    },
    async close() {
      const current = client;
      client = undefined;
      toolCache = undefined;
      listFailure = undefined;
      if (current) await current.then((open) => open.close()).catch(() => undefined);
    },
  };
}
