import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { validationError } from '../../errors/app-error.ts';
import type { McpTarget } from '../../mcp/mcp-lobe-operations.ts';
import type { McpModule } from '../../mcp/mcp-module.ts';
import { contextOf, principalOf } from '../auth-hook.ts';
import { envelopeSchema, success } from '../envelope.ts';
import { lobeApiSchema, mcpCallBodySchema, mcpCallResultSchema, mcpTargetSchema, mcpToolViewSchema } from './mcp-schemas.ts';

const tags = ['mcp'];

/** LobeChat's params to a target; stdio is refused here, before anything is resolved. */
function targetOf(params: z.infer<typeof mcpTargetSchema>): McpTarget {
  if ('server' in params) return { server: params.server };
  if (params.type === 'stdio' || params.command !== undefined || params.args !== undefined) {
    throw validationError('stdio MCP servers cannot be started through the API; the operator configures them in the config file');
  }
  if (!params.url) throw validationError('params.url is required for an http MCP server');
  return { name: params.name, url: params.url, headers: params.headers };
}

/** Aborts MCP work when the client goes away (the response closing before it was sent). */
function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  return controller.signal;
}

/** LobeChat's `tools.mcp` (listTools, callTool) as REST, and the catalogue of your MCP tools. */
export function registerMcpToolRoutes(app: FastifyInstance, mcp: McpModule): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/mcp/tools',
    {
      schema: {
        tags,
        summary: 'The MCP tools you may run, by server; servers that cannot be reached are listed under failures',
        querystring: z.object({ server: z.string().min(1).max(256).optional().describe('Only this server (id or name)') }),
        response: {
          200: envelopeSchema(
            z.object({
              tools: z.array(mcpToolViewSchema),
              total: z.number().int(),
              failures: z.array(z.object({
                server: z.string(),
                message: z.string().describe("Why it failed; an operator's server shows its error to admins only"),
              })),
            }),
          ),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const wanted = request.query.server;
      const servers = (await mcp.serversFor(principal.user.id)).filter(
        (server) => server.permissionLevel <= principal.permissionLevel && (!wanted || server.id === wanted || server.name === wanted),
      );
      const failures: Array<{ server: string; message: string }> = [];
      const lists = await Promise.all(
        servers.map((server) =>
          mcp.toolSource.listServer(server).catch((error: unknown) => {
            const detail = error instanceof Error ? error.message : String(error);
            request.log.warn({ mcpServer: server.name, source: server.source, error: detail }, 'MCP server could not list its tools');
            // A system server's error may name internal hosts that only admins are shown.
            const message = server.source === 'system' && !principal.isAdmin ? `MCP server ${server.name} is unavailable` : detail;
            failures.push({ server: server.name, message });
            return [];
          }),
        ),
      );
      const tools = lists.flat().map(({ server, tool, name }) => ({
        name, tool: tool.name, server: server.name, server_id: server.id, source: server.source,
        description: tool.description, parameters: tool.inputSchema, permission_level: server.permissionLevel,
      }));
      return success({ tools, total: tools.length, failures });
    },
  );

  routes.post(
    '/api/mcp/tools',
    {
      schema: {
        tags,
        summary: "LobeChat's tools.mcp.listTools: a server's tools as plugin APIs ({name, type: 'http', url} or {server})",
        body: mcpTargetSchema,
        response: { 200: envelopeSchema(z.array(lobeApiSchema)) },
      },
    },
    async (request, reply) => success(await mcp.lobe.listTools(contextOf(request), targetOf(request.body), abortOnClose(reply))),
  );

  routes.post(
    '/api/mcp/call',
    {
      schema: {
        tags,
        summary: "LobeChat's tools.mcp.callTool: run one tool of an MCP server (EXECUTE level unless the server says otherwise)",
        body: mcpCallBodySchema,
        response: { 200: envelopeSchema(mcpCallResultSchema) },
      },
    },
    async (request, reply) => {
      const { params, toolName, args } = request.body;
      const outcome = await mcp.lobe.callTool(contextOf(request), targetOf(params), toolName, args, abortOnClose(reply));
      return success({ result: outcome.result, text: outcome.text, is_error: outcome.isError });
    },
  );
}
