import type { McpServerSetting } from '../config/schema.ts';
import type { McpServerDefinition } from './mcp-server-definition.ts';

/** The operator's enabled MCP servers as connection definitions, read once from the config. */
export function systemServerDefinitions(settings: readonly McpServerSetting[]): McpServerDefinition[] {
  return settings
    .filter((server) => server.enabled)
    .map((server): McpServerDefinition => {
      const common = {
        connectionKey: `system:${server.name}`,
        id: server.name,
        name: server.name,
        source: 'system' as const,
        description: server.description,
        permissionLevel: server.permissionLevel,
      };
      if (server.transport === 'stdio') {
        return {
          ...common, transport: 'stdio', headers: {},
          process: { command: server.command, args: server.args, env: server.env, cwd: server.cwd },
        };
      }
      return { ...common, transport: server.transport, url: server.url, headers: server.headers };
    });
}
