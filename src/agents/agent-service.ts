import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import type { ProviderModule } from '../providers/provider-module.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { AgentListOptions, AgentsRepository } from '../storage/repositories/agents-repository.ts';
import type { DatabaseSchema } from '../storage/schema.ts';
import type { Agent, AgentFields } from './agent-definition.ts';
import { checkAgentStatus, type AgentStatus } from './agent-provider.ts';
import { AgentsFileError } from './agents-file.ts';
import { syncAgentsFile, type AgentsReloadReport } from './agents-file-sync.ts';

export interface AgentServiceDependencies {
  db: Kysely<DatabaseSchema>;
  repository: AgentsRepository;
  providers: ProviderModule;
  audit: AuditLog;
  newId: IdGenerator;
  clock: () => Date;
  /** The agents file (JSON or YAML), when one is configured. */
  agentsFile: string | undefined;
}

export interface AgentCreateInput extends AgentFields {
  /** `system` (admins only) makes an agent every user can use; `user` (the default) the caller's own. */
  scope?: 'system' | 'user';
}

export type AgentQuery = Omit<AgentListOptions, 'includePrivateSystem'>;

/**
 * Agents: system agents (from admins or the agents file) and each user's own. Users see their
 * own and the public system agents; another user's agent answers NOT_FOUND. Only admins change
 * system agents.
 */
export function createAgentService(dependencies: AgentServiceDependencies) {
  const { db, repository, providers, audit, newId, clock, agentsFile } = dependencies;

  async function findVisible(principal: Principal, id: string): Promise<Agent> {
    const agent = await repository.findVisible(principal.user.id, id, principal.isAdmin);
    if (!agent) throw notFound('agent');
    return agent;
  }

  async function findChangeable(principal: Principal, id: string): Promise<Agent> {
    const agent = await findVisible(principal, id);
    if (agent.ownerId === null && !principal.isAdmin) throw new AppError('FORBIDDEN', 'only admins change system agents');
    return agent;
  }

  function checkVisibility(ownerId: string | null, visibility: AgentFields['visibility']): 'private' | 'public' {
    if (ownerId !== null && visibility === 'public') {
      throw validationError('only system agents can be public; your own agents are private to you');
    }
    return visibility ?? (ownerId === null ? 'public' : 'private');
  }

  return {
    findVisible,

    list(principal: Principal, query: AgentQuery) {
      return repository.listVisible(principal.user.id, { ...query, includePrivateSystem: principal.isAdmin });
    },

    async create(principal: Principal, input: AgentCreateInput & { id?: string }): Promise<Agent> {
      const { scope = 'user', id, ...fields } = input;
      if (scope === 'system' && !principal.isAdmin) throw new AppError('FORBIDDEN', 'only admins create system agents');
      const ownerId = scope === 'system' ? null : principal.user.id;
      const now = clock().toISOString();
      const agent: Agent = {
        ...fields, id: id ?? newId(), ownerId, source: ownerId === null ? 'admin' : 'user',
        visibility: checkVisibility(ownerId, fields.visibility), createdAt: now, updatedAt: now,
      };
      // A taken id answers CONFLICT only when the caller can see that agent; otherwise it must not leak.
      if (!(await repository.insert(agent))) {
        if (await repository.findVisible(principal.user.id, agent.id, principal.isAdmin)) throw new AppError('CONFLICT', 'an agent with this id exists');
        throw validationError('this agent id cannot be used; choose another or leave it out');
      }
      await audit.record(undefined, { action: 'agent.create', actorUserId: principal.user.id, targetType: 'agent', targetId: agent.id, result: 'success' });
      return agent;
    },

    async update(principal: Principal, id: string, patch: Partial<AgentFields>): Promise<Agent> {
      const agent = await findChangeable(principal, id);
      if (patch.visibility !== undefined) checkVisibility(agent.ownerId, patch.visibility);
      await repository.update(id, patch, clock().toISOString());
      await audit.record(undefined, { action: 'agent.update', actorUserId: principal.user.id, targetType: 'agent', targetId: id, result: 'success' });
      return findVisible(principal, id);
    },

    async delete(principal: Principal, id: string): Promise<void> {
      await findChangeable(principal, id);
      await repository.delete(id);
      await audit.record(undefined, { action: 'agent.delete', actorUserId: principal.user.id, targetType: 'agent', targetId: id, result: 'success' });
    },

    async status(principal: Principal, id: string): Promise<AgentStatus> {
      return checkAgentStatus(providers, principal, await findVisible(principal, id), clock);
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
