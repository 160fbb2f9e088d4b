import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Principal, RequestContext } from '../auth/principal.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import { fetchFor, type OutboundHttp, type ProviderConnection } from '../providers/provider-connection.ts';
import type { ProviderModule } from '../providers/provider-module.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { AgentEndpointProvider, AgentListOptions, AgentOwner, AgentPatch, AgentsRepository } from '../storage/repositories/agents-repository.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import type { Agent, AgentConfig, AgentFields } from './agent-definition.ts';
import { createAgentEndpoints, type AgentEndpointInput } from './agent-endpoint.ts';
import { fetchRemoteAgentInfo, type RemoteAgentInfo } from './agent-fetch-info.ts';
import { platformOf } from './agent-platform.ts';
import { checkAgentStatus, type AgentStatus } from './agent-provider.ts';
import { AgentsFileError } from './agents-file.ts';
import { syncAgentsFile, type AgentsReloadReport } from './agents-file-sync.ts';

export interface AgentServiceDependencies {
  db: Kysely<DatabaseSchema>;
  repository: AgentsRepository;
  providers: ProviderModule;
  /** The guarded HTTP client (src/net), for asking a remote app what it is. */
  http: OutboundHttp;
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
  /** The agents file (JSON or YAML), when one is configured. */
  agentsFile: string | undefined;
}

export interface AgentCreateInput extends AgentFields, AgentEndpointInput {
  id?: string;
  /**
   * `system` (admins only) makes an agent every user can use; `user` the caller's own. Absent:
   * the caller's own, except that an admin's agent carrying its own endpoint is a system agent
   * (LLMChat's admin pages configure agents for everyone).
   */
  scope?: 'system' | 'user';
}

export type AgentUpdateInput = Partial<AgentFields> &
  AgentEndpointInput & {
    /** Config fields to change, the others kept (LLMChat's top-level `model`, `temperature` …); a `config` sent wins over them. */
    configChanges?: Partial<AgentConfig>;
  };

export interface AgentQuery extends Omit<AgentListOptions, 'includePrivateSystem' | 'inactive'> {
  includeInactive: boolean;
}

/** An agent with its own provider's public face (type, base URL, key hint), when it carries one. */
export interface DetailedAgent extends Agent {
  endpoint: AgentEndpointProvider | null;
}

export interface FetchInfoRequest {
  provider: string;
  endpoint: string;
  apiKey?: string;
  appId?: string;
}

const fetchInfoLimits = { headersTimeoutMs: 20_000, maxResponseBytes: 1024 * 1024 };

function principalIn(context: RequestContext): Principal {
  if (!context.principal) throw new AppError('UNAUTHORIZED', 'authentication required');
  return context.principal;
}

const carriesEndpoint = (input: AgentEndpointInput): boolean => (input.endpoint !== undefined && input.endpoint !== null) || input.apiKey !== undefined;

/**
 * Agents: system agents (from admins or the agents file) and each user's own. Users see their
 * own and the public system agents; another user's agent answers NOT_FOUND. Only admins change
 * system agents. An agent may carry its own endpoint and key: a provider made for it, deleted with it.
 */
export function createAgentService(dependencies: AgentServiceDependencies) {
  const { db, repository, providers, http, audit, newId, clock, agentsFile } = dependencies;
  const endpoints = createAgentEndpoints(providers);

  async function findVisible(principal: Principal, id: string): Promise<Agent> {
    const agent = await repository.findVisible(principal.user.id, id, principal.isAdmin);
    if (!agent) throw notFound('agent');
    return agent;
  }

  /**
   * The agent and the owner a change of it names. Users change their own agents; the system
   * agents (owner null) only through an admin's principal. The owner comes from the principal,
   * not from the row, so the write itself is scoped to what the caller may change.
   */
  async function findChangeable(principal: Principal, id: string): Promise<{ agent: Agent; owner: AgentOwner }> {
    const agent = await findVisible(principal, id);
    if (agent.ownerId === null) {
      if (!principal.isAdmin) throw new AppError('FORBIDDEN', 'only admins change system agents');
      return { agent, owner: null };
    }
    return { agent, owner: principal.user.id };
  }

  function checkVisibility(ownerId: string | null, visibility: AgentFields['visibility']): 'private' | 'public' {
    if (ownerId !== null && visibility === 'public') {
      throw validationError('only system agents can be public; your own agents are private to you');
    }
    return visibility ?? (ownerId === null ? 'public' : 'private');
  }

  async function detailed(principal: Principal, agents: Agent[]): Promise<DetailedAgent[]> {
    const found = await repository.findEndpointProviders(principal.user.id, agents.flatMap((agent) => (agent.endpointProviderId ? [agent.endpointProviderId] : [])));
    return agents.map((agent) => ({ ...agent, endpoint: (agent.endpointProviderId && found.get(agent.endpointProviderId)) || null }));
  }

  const one = async (principal: Principal, agent: Agent): Promise<DetailedAgent> => (await detailed(principal, [agent]))[0]!;

  async function record(principal: Principal, action: string, id: string): Promise<void> {
    await audit.record(undefined, { action, actorUserId: principal.user.id, targetType: 'agent', targetId: id, result: 'success' });
  }

  return {
    findVisible,

    get: async (principal: Principal, id: string): Promise<DetailedAgent> => one(principal, await findVisible(principal, id)),

    /** Inactive agents, when asked for: admins see every visible one, users only their own. */
    async list(principal: Principal, query: AgentQuery): Promise<{ items: DetailedAgent[]; total: number }> {
      const { includeInactive, ...rest } = query;
      const inactive = !includeInactive ? 'none' : principal.isAdmin ? 'all' : 'own';
      const page = await repository.listVisible(principal.user.id, { ...rest, inactive, includePrivateSystem: principal.isAdmin });
      return { items: await detailed(principal, page.items), total: page.total };
    },

    async create(context: RequestContext, input: AgentCreateInput): Promise<DetailedAgent> {
      const principal = principalIn(context);
      const { scope: requestedScope, id, endpoint, apiKey, appId, ...fields } = input;
      const withEndpoint = carriesEndpoint({ endpoint, apiKey });
      const scope = requestedScope ?? (withEndpoint && principal.isAdmin ? 'system' : 'user');
      if (scope === 'system' && !principal.isAdmin) throw new AppError('FORBIDDEN', 'only admins create system agents');
      const ownerId = scope === 'system' ? null : principal.user.id;
      const agentId = id ?? newId();
      const visibility = checkVisibility(ownerId, fields.visibility);
      // A taken id answers CONFLICT only when the caller can see that agent; otherwise it must not leak.
      const refuseTakenId = async (): Promise<never> => {
        if (await repository.findVisible(principal.user.id, agentId, principal.isAdmin)) throw new AppError('CONFLICT', 'an agent with this id exists');
        throw validationError('this agent id cannot be used; choose another or leave it out');
      };
      if ((await repository.findTakenIds([agentId])).size > 0) await refuseTakenId();

      const endpointProviderId = withEndpoint ? await endpoints.create(context, { id: agentId, name: fields.name, ownerId }, fields.provider, { endpoint, apiKey }) : null;
      const now = clock().toISOString();
      const agent: Agent = {
        ...fields, id: agentId, ownerId, source: ownerId === null ? 'admin' : 'user', visibility,
        provider: endpointProviderId ?? fields.provider, endpointProviderId, appId: appId ?? null, createdAt: now, updatedAt: now,
      };
      let inserted = false;
      try {
        inserted = await repository.insert(agent);
      } finally {
        // Never leave a provider behind for an agent that was not stored.
        if (!inserted && endpointProviderId) await endpoints.remove(context, endpointProviderId);
      }
      if (!inserted) await refuseTakenId();
      await record(principal, 'agent.create', agent.id);
      return one(principal, agent);
    },

    async update(context: RequestContext, id: string, input: AgentUpdateInput): Promise<DetailedAgent> {
      const principal = principalIn(context);
      const { agent, owner: changedAs } = await findChangeable(principal, id);
      const { endpoint, apiKey, appId, configChanges, ...fields } = input;
      if (fields.visibility !== undefined) checkVisibility(agent.ownerId, fields.visibility);
      const patch: AgentPatch = { ...fields, ...(appId !== undefined ? { appId } : {}) };
      if (configChanges) patch.config = fields.config ? { ...configChanges, ...fields.config } : { ...agent.config, ...configChanges };
      const owned = agent.endpointProviderId ?? null;
      const owner = { id: agent.id, name: fields.name ?? agent.name, ownerId: agent.ownerId };
      let created: string | undefined;
      let dropped: string | undefined;

      if (agent.source === 'file' && (carriesEndpoint({ endpoint, apiKey }) || appId)) {
        throw validationError('agents from the agents file take their provider from the file; change the file instead');
      }
      if (endpoint === null && owned) {
        if (fields.provider === undefined) throw validationError('send provider (a provider id or type) with endpoint: null');
        patch.endpointProviderId = null;
        dropped = owned;
      } else if (owned && (fields.provider !== undefined || fields.name !== undefined || endpoint || apiKey !== undefined)) {
        // The agent's provider stays its provider; `provider` names the platform type of its endpoint.
        await endpoints.update(context, owned, { provider: fields.provider, name: fields.name, endpoint, apiKey });
        delete patch.provider;
      } else if (!owned && carriesEndpoint({ endpoint, apiKey })) {
        created = await endpoints.create(context, owner, fields.provider ?? agent.provider, { endpoint, apiKey });
        patch.provider = created;
        patch.endpointProviderId = created;
      }
      let updated = false;
      try {
        updated = await repository.update(changedAs, id, patch, clock().toISOString());
      } finally {
        if (!updated && created) await endpoints.remove(context, created);
      }
      if (!updated) throw notFound('agent');
      if (dropped) await endpoints.remove(context, dropped);
      await record(principal, 'agent.update', id);
      return one(principal, await findVisible(principal, id));
    },

    async delete(context: RequestContext, id: string): Promise<void> {
      const principal = principalIn(context);
      const { agent, owner } = await findChangeable(principal, id);
      if (!(await repository.delete(owner, id))) throw notFound('agent');
      if (agent.endpointProviderId) await endpoints.remove(context, agent.endpointProviderId);
      await record(principal, 'agent.delete', id);
    },

    async status(principal: Principal, id: string): Promise<AgentStatus> {
      return checkAgentStatus(providers, principal, await findVisible(principal, id), clock);
    },

    /**
     * Asks a remote app what it is, for the admin form. The SSRF rules are those of a provider
     * the caller could make: an admin's (a system provider's) host may be private, a user's only
     * what the operator allows.
     */
    async fetchInfo(context: RequestContext, request: FetchInfoRequest): Promise<RemoteAgentInfo> {
      const principal = principalIn(context);
      const platform = platformOf(request.provider, request.endpoint);
      const connection: ProviderConnection = {
        id: 'agent-fetch-info', name: platform.info.displayName, type: platform.info.type, wireFormat: platform.info.wireFormat,
        isSystem: principal.isAdmin, baseUrl: platform.baseUrl, apiKey: request.apiKey || undefined, settings: {},
      };
      const host = new URL(platform.baseUrl).host;
      try {
        const info = await fetchRemoteAgentInfo(fetchFor(http, connection, fetchInfoLimits), { ...platform, apiKey: connection.apiKey, appId: request.appId || undefined });
        await audit.record(context, { action: 'agent.fetch_info', result: 'success', details: { provider: platform.info.type, host } });
        return info;
      } catch (error) {
        const code = error instanceof AppError ? error.code : 'INTERNAL_ERROR';
        await audit.record(context, { action: 'agent.fetch_info', result: 'failure', details: { provider: platform.info.type, host, code } });
        throw error;
      }
    },

    /** Re-reads the agents file; the file as a whole being unusable changes nothing and says why. */
    async reload(principal?: Principal): Promise<AgentsReloadReport> {
      if (!agentsFile) throw validationError('no agents file is configured; set COLLOQUY_AGENTS_FILE');
      let report: AgentsReloadReport;
      try {
        report = await syncAgentsFile(db, agentsFile, clock().toISOString());
      } catch (error) {
        if (error instanceof AgentsFileError) throw validationError(error.message);
        throw error;
      }
      if (principal) {
        await audit.record(undefined, { action: 'agent.reload', actorUserId: principal.user.id, targetType: 'agent', result: 'success', details: { added: report.added.length, updated: report.updated.length, removed: report.removed.length, invalid: report.invalid.length } });
      }
      return report;
    },

    hasAgentsFile: (): boolean => agentsFile !== undefined,
  };
}

export type AgentService = ReturnType<typeof createAgentService>;
