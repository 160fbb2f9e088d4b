import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../errors/app-error.ts';
import type { ToolModule } from '../../tools/tool-module.ts';
import { refuseToolCall } from '../../tools/tool-refusal.ts';
import { isAllowedAt } from '../../tools/tool-registry.ts';
import { contextOf, principalOf } from '../auth-hook.ts';
import { envelopeSchema, success } from '../envelope.ts';
import {
  toolExecuteBodySchema,
  toolExecuteResultSchema,
  toolListQuerySchema,
  toolListSchema,
  toolParamsSchema,
  toolView,
  toolViewSchema,
} from './tool-schemas.ts';

const tags = ['tools'];

/** Aborts the tool when the client goes away before the answer was sent. */
function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort(new Error('the client went away'));
  });
  return controller.signal;
}

/** Luxx's `/api/tools`: the tools you may use, one tool, and running one by hand. */
export function registerToolRoutes(app: FastifyInstance, tools: ToolModule): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { registry } = tools;

  routes.get(
    '/api/tools',
    {
      schema: {
        tags,
        summary: 'The tools you may use (at or below your permission level), also grouped by category',
        querystring: toolListQuerySchema,
        response: { 200: envelopeSchema(toolListSchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const wanted = request.query.category;
      const usable = (await registry.list(principal.user.id))
        .filter((tool) => isAllowedAt(tool, principal.permissionLevel) && (!wanted || tool.category === wanted))
        .map(toolView);
      const categorized: Record<string, typeof usable> = {};
      for (const tool of usable) (categorized[tool.category] ??= []).push(tool);
      return success({ tools: usable, categorized, total: usable.length });
    },
  );

  routes.get(
    '/api/tools/:name',
    {
      schema: {
        tags,
        summary: 'One tool: description, category, level and the JSON Schema of its arguments',
        params: toolParamsSchema,
        response: { 200: envelopeSchema(toolViewSchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tool = await registry.find(principal.user.id, request.params.name);
      if (!tool) throw new AppError('NOT_FOUND', `there is no tool named "${request.params.name}"; GET /api/tools lists them`);
      if (!isAllowedAt(tool, principal.permissionLevel)) {
        const refusal = await registry.refusalFor(principal.user.id, tool.name, principal.permissionLevel);
        throw new AppError('FORBIDDEN', refusal.message);
      }
      return success(toolView(tool));
    },
  );

  routes.post(
    '/api/tools/:name/execute',
    {
      schema: {
        tags,
        summary: 'Run a tool with the body as its arguments; refused (403, audited) above your permission level',
        params: toolParamsSchema,
        body: toolExecuteBodySchema,
        response: { 200: envelopeSchema(toolExecuteResultSchema) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const userId = principal.user.id;
      const tool = await registry.find(userId, request.params.name);
      if (!tool) throw new AppError('NOT_FOUND', `there is no tool named "${request.params.name}"; GET /api/tools lists them`);
      // Refused before anything runs, and written to the audit log.
      if (!isAllowedAt(tool, principal.permissionLevel)) {
        const refusal = await refuseToolCall({ tools: registry, audit: tools.audit, log: tools.log }, contextOf(request), {
          userId, permissionLevel: principal.permissionLevel, toolName: tool.name, via: 'api',
        });
        throw new AppError('FORBIDDEN', refusal.message);
      }
      const result = await tool.execute(request.body ?? {}, {
        userId,
        permissionLevel: principal.permissionLevel,
        toolCallId: `api-${request.id}`,
        signal: abortOnClose(reply),
      });
      return success({ tool: tool.name, result: result.output, is_error: result.isError }, result.isError ? 'Tool reported an error' : 'OK');
    },
  );
}
