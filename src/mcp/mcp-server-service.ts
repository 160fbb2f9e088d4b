import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../auth/principal.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import type { SecretBox } from '../providers/secret-box.ts';
import { withConflictAs } from '../storage/unique-violations.ts';
import type { IdGenerator } from '../storage/ids.ts';
import { assertValidHeaders, headerHints } from './mcp-header-rules.ts';
import type { McpServerDefinition } from './mcp-server-definition.ts';
import type { McpServersRepository, StoredMcpServer } from './mcp-servers-repository.ts';
import { assertValidServerUrl } from './mcp-url-rules.ts';

export interface McpServerInput {
  name?: string;
  transport?: 'streamable-http' | 'sse';
  url?: string;
  /** Replaces every header; null removes them all; a value equal to its mask keeps the stored one. */
  headers?: Record<string, string> | null;
  description?: string | null;
  enabled?: boolean;
}

export interface McpServerServiceDependencies {
  repository: McpServersRepository;
  secretBox: SecretBox;
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
  /** Names of the operator's servers, which user servers may not take (tool prefixes stay unique). */
  systemServerNames: ReadonlySet<string>;
  maxServersPerUser: number;
  /** Called when a server changes or goes, so its open connections close. */
  onChanged(userId: string, serverId: string): Promise<void>;
}

/** Users' own remote MCP servers: owner-scoped CRUD, headers sealed at rest and masked on output. */
export function createMcpServerService(dependencies: McpServerServiceDependencies) {
  const { repository, secretBox, audit, newId, clock } = dependencies;
  const sealContext = (id: string) => `mcp-server-headers:${id}`;

  function ownerOf(context: RequestContext): string {
    if (!context.principal) throw new AppError('UNAUTHORIZED', 'authentication required');
    return context.principal.user.id;
  }

  function openHeaders(server: StoredMcpServer): Record<string, string> {
    if (!server.headersCipher) return {};
    return JSON.parse(secretBox.open(server.headersCipher, sealContext(server.id)).plaintext) as Record<string, string>;
  }

  function checkName(name: string): void {
    if (dependencies.systemServerNames.has(name)) {
      throw new AppError('CONFLICT', `${name} is the name of a server the operator configured; choose another name`);
    }
  }

  async function owned(userId: string, id: string): Promise<StoredMcpServer> {
    const server = await repository.findForUser(userId, id);
    if (!server) throw notFound('MCP server');
    return server;
  }

  return {
    list: (context: RequestContext) => repository.listForUser(ownerOf(context)),
    get: (context: RequestContext, id: string) => owned(ownerOf(context), id),

    async create(context: RequestContext, input: McpServerInput & { name: string; url: string }): Promise<StoredMcpServer> {
      const userId = ownerOf(context);
      checkName(input.name);
      assertValidServerUrl(input.url);
      const headers = input.headers ?? {};
      assertValidHeaders(headers);
      const id = newId();
      const at = clock().toISOString();
      const server: StoredMcpServer = {
        id, userId, name: input.name, transport: input.transport ?? 'streamable-http', url: input.url,
        description: input.description ?? null,
        headersCipher: Object.keys(headers).length > 0 ? secretBox.seal(JSON.stringify(headers), sealContext(id)) : null,
        headerHints: headerHints(headers), enabled: input.enabled ?? true, createdAt: at, updatedAt: at,
      };
      const inserted = await withConflictAs(`you already have an MCP server named ${input.name}`, () =>
        repository.insertWithinLimit(server, dependencies.maxServersPerUser),
      );
      if (!inserted) {
        throw validationError(`you already have ${dependencies.maxServersPerUser} MCP servers, the most allowed; delete one first`);
      }
      await audit.record(context, { action: 'mcp_server.create', result: 'success', targetType: 'mcp_server', targetId: id, details: { name: input.name } });
      return server;
    },

    async update(context: RequestContext, id: string, input: McpServerInput): Promise<StoredMcpServer> {
      const userId = ownerOf(context);
      const current = await owned(userId, id);
      if (input.name !== undefined && input.name !== current.name) checkName(input.name);
      if (input.url !== undefined) assertValidServerUrl(input.url);
      const patch: Parameters<McpServersRepository['update']>[2] = {
        name: input.name, transport: input.transport, url: input.url, enabled: input.enabled,
        ...(input.description === undefined ? {} : { description: input.description }),
      };
      if (input.headers !== undefined) {
        const previous = openHeaders(current);
        // A header sent back as its own mask keeps its stored value (clients echo what they were shown).
        const headers = Object.fromEntries(
          Object.entries(input.headers ?? {}).map(([name, value]) =>
            [name, current.headerHints[name] === value && previous[name] !== undefined ? previous[name] : value]),
        );
        assertValidHeaders(headers);
        patch.headersCipher = Object.keys(headers).length > 0 ? secretBox.seal(JSON.stringify(headers), sealContext(id)) : null;
        patch.headerHints = headerHints(headers);
      }
      const at = clock().toISOString();
      const changed = await withConflictAs(`you already have an MCP server named ${input.name}`, () => repository.update(userId, id, patch, at));
      if (!changed) throw notFound('MCP server');
      await dependencies.onChanged(userId, id);
      await audit.record(context, { action: 'mcp_server.update', result: 'success', targetType: 'mcp_server', targetId: id });
      return owned(userId, id);
    },

    async delete(context: RequestContext, id: string): Promise<void> {
      const userId = ownerOf(context);
      if (!(await repository.delete(userId, id))) throw notFound('MCP server');
      await dependencies.onChanged(userId, id);
      await audit.record(context, { action: 'mcp_server.delete', result: 'success', targetType: 'mcp_server', targetId: id });
    },

    /** The user's enabled servers, ready to connect (headers opened). */
    async definitionsFor(userId: string): Promise<McpServerDefinition[]> {
      const servers = await repository.listForUser(userId);
      return servers.filter((server) => server.enabled).map((server) => userServerDefinition(server, openHeaders(server)));
    },
  };
}

/** A user's server always runs at EXECUTE: its owner cannot lower the bar for their own tools. */
export const userServerPermissionLevel = 3;

function userServerDefinition(server: StoredMcpServer, headers: Record<string, string>): McpServerDefinition {
  return {
    connectionKey: `user:${server.userId}:${server.id}:${server.updatedAt}`,
    id: server.id, name: server.name, source: 'user', ownerId: server.userId, transport: server.transport,
    url: server.url, headers, description: server.description ?? undefined, permissionLevel: userServerPermissionLevel,
  };
}

export type McpServerService = ReturnType<typeof createMcpServerService>;
