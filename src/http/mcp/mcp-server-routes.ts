import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { McpModule } from '../../mcp/mcp-module.ts';
import { contextOf, principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, success } from '../envelope.ts';
import {
  createMcpServerBodySchema,
  mcpServerParamsSchema,
  mcpServerViewSchema,
  updateMcpServerBodySchema,
} from './mcp-schemas.ts';
import { systemServerView, userServerView } from './mcp-server-view.ts';

const tags = ['mcp'];

/** `/api/mcp/servers`: the operator's MCP servers (read only) and your own remote ones. */
export function registerMcpServerRoutes(app: FastifyInstance, mcp: McpModule): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { servers } = mcp;

  routes.get(
    '/api/mcp/servers',
    {
      schema: {
        tags,
        summary: 'List the system MCP servers and your own',
        response: { 200: envelopeSchema(z.object({ servers: z.array(mcpServerViewSchema), total: z.number().int() })) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const own = await servers.list(contextOf(request));
      const list = [...mcp.systemServers.map((server) => systemServerView(server, principal)), ...own.map(userServerView)];
      return success({ servers: list, total: list.length });
    },
  );

  routes.post(
    '/api/mcp/servers',
    {
      schema: {
        tags,
        summary: 'Add a remote MCP server (streamable HTTP or SSE); its tools run at EXECUTE level',
        body: createMcpServerBodySchema,
        response: { 200: envelopeSchema(mcpServerViewSchema) },
      },
    },
    async (request) => {
      const { headers, description, ...rest } = request.body;
      const created = await servers.create(contextOf(request), { ...rest, headers: headers ?? undefined, description: description ?? undefined });
      return success(userServerView(created), 'MCP server created');
    },
  );

  routes.get(
    '/api/mcp/servers/:id',
    {
      schema: { tags, summary: 'One of your MCP servers', params: mcpServerParamsSchema, response: { 200: envelopeSchema(mcpServerViewSchema) } },
    },
    async (request) => success(userServerView(await servers.get(contextOf(request), request.params.id))),
  );

  routes.put(
    '/api/mcp/servers/:id',
    {
      schema: {
        tags,
        summary: 'Change one of your MCP servers; absent fields keep their value, headers replace all headers',
        params: mcpServerParamsSchema,
        body: updateMcpServerBodySchema,
        response: { 200: envelopeSchema(mcpServerViewSchema) },
      },
    },
    async (request) => {
      const updated = await servers.update(contextOf(request), request.params.id, request.body);
      return success(userServerView(updated), 'MCP server updated');
    },
  );

  routes.delete(
    '/api/mcp/servers/:id',
    { schema: { tags, summary: 'Delete one of your MCP servers', params: mcpServerParamsSchema, response: { 200: emptyEnvelopeSchema } } },
    async (request) => {
      await servers.delete(contextOf(request), request.params.id);
      return success(null, 'MCP server deleted');
    },
  );
}
