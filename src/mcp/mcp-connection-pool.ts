import { createMcpConnection, type McpConnection, type McpConnectionDependencies } from './mcp-connection.ts';
import type { McpServerDefinition } from './mcp-server-definition.ts';

/** Open connections kept at once; past this the least recently used one is closed. */
const poolSize = 256;

/**
 * The cached MCP clients: one per system server, one per user server (a user's server is only
 * ever theirs). A changed server gets a new key, and the old connection is closed by `forget`.
 * Ad-hoc servers (LobeChat's URL calls) never enter it: `withOwnConnection` gives them a
 * connection of their own, so no user can evict the connections others rely on.
 */
export function createMcpConnectionPool(dependencies: McpConnectionDependencies) {
  const connections = new Map<string, McpConnection>();

  return {
    connectionFor(definition: McpServerDefinition): McpConnection {
      let connection = connections.get(definition.connectionKey);
      if (connection) {
        connections.delete(definition.connectionKey);
      } else {
        connection = createMcpConnection(definition, dependencies);
        if (connections.size >= poolSize) {
          const [oldestKey, oldest] = connections.entries().next().value!;
          connections.delete(oldestKey);
          void oldest.close();
        }
      }
      connections.set(definition.connectionKey, connection);
      return connection;
    },
    /** Runs `use` on a fresh connection outside the pool, closed when `use` ends (ad-hoc servers). */
    async withOwnConnection<T>(definition: McpServerDefinition, use: (connection: McpConnection) => Promise<T>): Promise<T> {
      const connection = createMcpConnection(definition, dependencies);
      try {
        return await use(connection);
      } finally {
        await connection.close();
      }
    },
    /** How many pooled connections are open or may open (ad-hoc ones are not counted). */
    get size(): number {
      return connections.size;
    },
    /** Closes the connections whose key starts with this prefix (a server that changed or went). */
    async forget(keyPrefix: string): Promise<void> {
      const closing: Array<Promise<void>> = [];
      for (const [key, connection] of connections) {
        if (!key.startsWith(keyPrefix)) continue;
        connections.delete(key);
        closing.push(connection.close());
      }
      await Promise.all(closing);
    },
    async close(): Promise<void> {
      const all = [...connections.values()];
      connections.clear();
      await Promise.all(all.map((connection) => connection.close()));
    },
  };
}

export type McpConnectionPool = ReturnType<typeof createMcpConnectionPool>;
