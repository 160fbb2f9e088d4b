import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentService } from '../../agents/agent-service.ts';
import { contextOf, principalOf } from '../auth-hook.ts';
import { emptyEnvelopeSchema, envelopeSchema, paginated, paginatedSchema, success } from '../envelope.ts';
import {
  agentListQuerySchema,
  agentParamsSchema,
  agentStatusSchema,
  createAgentBodySchema,
  fetchInfoBodySchema,
  reloadReportSchema,
  remoteAgentInfoSchema,
  statusOf,
  topLevelConfigOf,
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
          '`includeInactive=true`: then admins also see inactive system agents, users only their own inactive agents. ' +
          'With `page` or `limit`, `data` is a page (`items`, `pagination`); without, a plain array.',
        querystring: agentListQuerySchema,
        response: { 200: envelopeSchema(z.union([z.array(agentViewSchema), paginatedSchema(agentViewSchema)])) },
      },
    },
    async (request) => {
      const { page, limit, category, provider, includeInactive } = request.query;
      const paged = page !== undefined || limit !== undefined;
      const size = limit ?? (paged ? defaultPageSize : unpagedLimit);
      const offset = ((page ?? 1) - 1) * size;
      const principal = principalOf(request);
      const { items, total } = await agents.list(principal, { offset, limit: size, category, provider, includeInactive });
      const views = items.map((agent) => agentView(agent, principal));
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

  routes.post(
    '/api/agents/fetch-info',
    {
      schema: {
        tags,
        summary: 'Ask a remote FastGPT, Dify or OpenAI-compatible app what it is',
        description:
          'For the agent form: Dify answers its name, description, mode, opening statement and inputs (`/info`, `/parameters`); ' +
          "FastGPT (`appId` required) its name, intro, chat models, welcome text and variables (`/api/core/chat/init`); any other type its model list. " +
          'Fields the remote does not expose are null. A key the remote refuses, a wrong endpoint or appId answer 400; a failing remote 502, ' +
          'a silent one 504; a refused address 403 (admins may reach private hosts, as with system providers). The key is never echoed.',
        body: fetchInfoBodySchema,
        response: { 200: envelopeSchema(remoteAgentInfoSchema) },
      },
    },
    async (request) => success(await agents.fetchInfo(contextOf(request), request.body), 'Agent info fetched'),
  );

  routes.get(
    '/api/agents/:id',
    { schema: { tags, summary: 'Get an agent', params: agentParamsSchema, response: { 200: envelopeSchema(agentViewSchema) } } },
    async (request) => success(agentView(await agents.get(principalOf(request), request.params.id), principalOf(request))),
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
        description:
          'Your own agent, or with `scope: "system"` (admins) one for every user. LLMChat\'s form is accepted as sent: top-level ' +
          '`model`, `temperature`, `maxTokens`, `systemPrompt`, `isActive`, and `endpoint` + `apiKey` (+ `appId`): the agent then ' +
          'carries its own provider of type `provider`, whose key is stored sealed and shown only as `apiKeyHint`. An admin\'s agent ' +
          'with an endpoint and no `scope` is a system agent. `features` is accepted and not stored.',
        body: createAgentBodySchema,
        response: { 200: envelopeSchema(agentViewSchema) },
      },
    },
    async (request) => {
      const { isActive, status, model: _model, temperature: _temperature, maxTokens: _maxTokens, systemPrompt: _prompt, features: _features, rateLimit: _rateLimit, ...body } =
        request.body;
      const config = { ...topLevelConfigOf(request.body), ...request.body.config };
      const created = await agents.create(contextOf(request), { ...body, config, status: statusOf(isActive, status) ?? 'active' });
      return success(agentView(created, principalOf(request)), 'Agent created');
    },
  );

  routes.put(
    '/api/agents/:id',
    {
      schema: {
        tags,
        summary: 'Update an agent',
        description:
          'Only the fields sent change. `isActive` is the same switch as `status`; top-level `model`, `temperature`, `maxTokens` and ' +
          '`systemPrompt` change those `config` fields. `endpoint`/`apiKey`/`appId` change the agent\'s own provider (created if the ' +
          'agent had none; `endpoint: null` with a `provider` drops it). System agents are changed by admins only.',
        params: agentParamsSchema,
        body: updateAgentBodySchema,
        response: { 200: envelopeSchema(agentViewSchema) },
      },
    },
    async (request) => {
      const { isActive, status, model: _model, temperature: _temperature, maxTokens: _maxTokens, systemPrompt: _prompt, features: _features, rateLimit: _rateLimit, ...patch } =
        request.body;
      const configChanges = topLevelConfigOf(request.body);
      const updated = await agents.update(contextOf(request), request.params.id, {
        ...patch,
        ...(statusOf(isActive, status) ? { status: statusOf(isActive, status) } : {}),
        ...(Object.keys(configChanges).length > 0 ? { configChanges } : {}),
      });
      return success(agentView(updated, principalOf(request)), 'Agent updated');
    },
  );

  routes.delete(
    '/api/agents/:id',
    { schema: { tags, summary: 'Delete an agent', params: agentParamsSchema, response: { 200: emptyEnvelopeSchema } } },
    async (request) => {
      await agents.delete(contextOf(request), request.params.id);
      return success(null, 'Agent deleted');
    },
  );
}
