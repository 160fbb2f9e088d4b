import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentService } from '../../agents/agent-service.ts';
import { principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, paginated, paginatedSchema, success } from '../envelope.ts';
import {
  agentListQuerySchema,
  agentParamsSchema,
  agentStatusSchema,
  createAgentBodySchema,
  reloadReportSchema,
  updateAgentBodySchema,
} from './agent-schemas.ts';
import { agentView, agentViewSchema } from './agent-view.ts';

const tags = ['agents'];
const defaultPageSize = 20;
/** The unpaged list (LLMChat's web app) is still bounded. */
const unpagedLimit = 500;

/** LLMChat's `/api/agents` (and LobeChat's agent router as REST): system agents plus your own. */
export function registerAgentRoutes(app: FastifyInstance, agents: AgentService): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/agents',
    {
      schema: {
        tags,
        summary: 'List the agents you can use',
        description:
          'Your own agents and the public system agents (admins also see private system agents). Active ones only, unless ' +
          '`includeInactive=true`. With `page` or `limit`, `data` is a page (`items`, `pagination`); without, a plain array.',
        querystring: agentListQuerySchema,
        response: { 200: envelopeSchema(z.union([z.array(agentViewSchema), paginatedSchema(agentViewSchema)])) },
      },
    },
    async (request) => {
      const { page, limit, category, provider, includeInactive } = request.query;
      const paged = page !== undefined || limit !== undefined;
      const size = limit ?? (paged ? defaultPageSize : unpagedLimit);
      const offset = ((page ?? 1) - 1) * size;
      const { items, total } = await agents.list(principalOf(request), { offset, limit: size, category, provider, includeInactive });
      const views = items.map(agentView);
      return success(paged ? paginated(views, total, page ?? 1, size) : views);
    },
  );

  routes.post(
    '/api/agents/reload',
    {
      config: { auth: 'admin' as const },
      schema: {
        tags,
        summary: 'Re-read the agents file (admin)',
        description: 'Reports the agents added, updated, unchanged and removed, and each invalid entry with its reason; invalid entries never remove valid ones.',
        response: { 200: envelopeSchema(reloadReportSchema) },
      },
    },
    async (request) => success(await agents.reload(principalOf(request)), 'Agents reloaded'),
  );

  routes.get(
    '/api/agents/:id',
    { schema: { tags, summary: 'Get an agent', params: agentParamsSchema, response: { 200: envelopeSchema(agentViewSchema) } } },
    async (request) => success(agentView(await agents.findVisible(principalOf(request), request.params.id))),
  );

  routes.get(
    '/api/agents/:id/status',
    {
      schema: {
        tags,
        summary: "Check whether the agent's provider is reachable",
        description: "Sends the provider's connection test (a model list, an app info request, or a one-token chat) and reports the outcome and latency.",
        params: agentParamsSchema,
        response: { 200: envelopeSchema(agentStatusSchema) },
      },
    },
    async (request) => success(await agents.status(principalOf(request), request.params.id)),
  );

  routes.post(
    '/api/agents',
    {
      schema: {
        tags,
        summary: 'Create an agent',
        description: 'Your own agent, or with `scope: "system"` (admins) one for every user.',
        body: createAgentBodySchema,
        response: { 200: envelopeSchema(agentViewSchema) },
      },
    },
    async (request) => success(agentView(await agents.create(principalOf(request), request.body)), 'Agent created'),
  );

  routes.put(
    '/api/agents/:id',
    {
      schema: {
        tags,
        summary: 'Update an agent',
        description: 'Only the fields sent change. `isActive` is the same switch as `status`. System agents are changed by admins only.',
        params: agentParamsSchema,
        body: updateAgentBodySchema,
        response: { 200: envelopeSchema(agentViewSchema) },
      },
    },
    async (request) => {
      const { isActive, ...patch } = request.body;
      const fields = isActive === undefined ? patch : { ...patch, status: isActive ? ('active' as const) : ('inactive' as const) };
      return success(agentView(await agents.update(principalOf(request), request.params.id, fields)), 'Agent updated');
    },
  );

  routes.delete(
    '/api/agents/:id',
    { schema: { tags, summary: 'Delete an agent', params: agentParamsSchema, response: { 200: emptyEnvelopeSchema } } },
    async (request) => {
      await agents.delete(principalOf(request), request.params.id);
      return success(null, 'Agent deleted');
    },
  );
}
