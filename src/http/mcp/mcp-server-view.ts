import type { Principal } from '../../auth/principal.ts';
import type { McpServerDefinition } from '../../mcp/mcp-server-definition.ts';
import { userServerPermissionLevel } from '../../mcp/mcp-server-service.ts';
import type { StoredMcpServer } from '../../mcp/mcp-servers-repository.ts';
import { headerHints } from '../../mcp/mcp-header-rules.ts';

/** A user's own server: its URL as given, header values masked. */
export function userServerView(server: StoredMcpServer) {
  return {
    id: server.id, name: server.name, source: 'user' as const, transport: server.transport, url: server.url,
    description: server.description, headers: server.headerHints, enabled: server.enabled,
    permission_level: userServerPermissionLevel, created_at: server.createdAt, updated_at: server.updatedAt,
  };
}

/** An operator's server: where it points only for admins, and never its query or headers' values. */
export function systemServerView(server: McpServerDefinition, principal: Principal) {
  let url: string | null = null;
  if (principal.isAdmin && server.url) {
    const shown = new URL(server.url);
    shown.search = '';
    shown.username = '';
    shown.password = '';
    url = shown.href;
  }
  return {
    id: server.id, name: server.name, source: 'system' as const, transport: server.transport, url,
    description: server.description ?? null, headers: principal.isAdmin ? headerHints(server.headers) : {},
    enabled: true, permission_level: server.permissionLevel, created_at: null, updated_at: null,
  };
}
