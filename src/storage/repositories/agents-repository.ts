import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Agent, AgentFields, AgentSource } from '../../agents/agent-definition.ts';
import { parseJson } from '../errors.ts';
import type { AgentsTable, DatabaseSchema } from '../schema.ts';

export interface AgentListOptions {
  offset: number;
  limit: number;
  category?: string;
  provider?: string;
  /** Inactive agents too: none, only the caller's own, or every visible one. */
  inactive: 'none' | 'own' | 'all';
  /** Admins also see private system agents. */
  includePrivateSystem: boolean;
}

/** What an agent's own provider (an agent that carries its endpoint and key) looks like from outside. */
export interface AgentEndpointProvider {
  id: string;
  providerType: string;
  baseUrl: string | null;
  apiKeyHint: string | null;
}

/** Fields an update may change besides the shared agent fields. */
export interface AgentPatch extends Partial<AgentFields> {
  endpointProviderId?: string | null;
  appId?: string | null;
}

const list = (text: string): string[] => {
  const value = parseJson<unknown>(text, []);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
};

function toAgent(row: Selectable<AgentsTable>): Agent {
  const config = parseJson<unknown>(row.config, {});
  return {
    id: row.id,
    ownerId: row.userId,
    source: row.source,
    name: row.name,
    description: row.description,
    category: row.category,
    provider: row.provider,
    avatar: row.avatar,
    status: row.status,
    visibility: row.visibility,
    capabilities: list(row.capabilities),
    config: config !== null && typeof config === 'object' && !Array.isArray(config) ? (config as Agent['config']) : {},
    tools: list(row.tools),
    knowledgeBaseIds: list(row.knowledgeBaseIds),
    endpointProviderId: row.endpointProviderId ?? null,
    appId: row.appId ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function columnsOf(fields: AgentPatch): Updateable<AgentsTable> {
  const columns: Updateable<AgentsTable> = {};
  for (const key of ['name', 'description', 'category', 'provider', 'avatar', 'status', 'visibility', 'endpointProviderId', 'appId'] as const) {
    if (fields[key] !== undefined) (columns as Record<string, unknown>)[key] = fields[key];
  }
  for (const key of ['capabilities', 'config', 'tools', 'knowledgeBaseIds'] as const) {
    if (fields[key] !== undefined) columns[key] = JSON.stringify(fields[key]);
  }
  return columns;
}

/**
 * Agents. A user sees their own and the public system agents (admins every system agent);
 * every read takes the caller, so another user's agent is simply not found.
 */
export function createAgentsRepository(db: Kysely<DatabaseSchema>) {
  function visibleTo(userId: string, includePrivateSystem: boolean) {
    return db.selectFrom('agents').where((eb) =>
      eb.or([
        eb('userId', '=', userId),
        includePrivateSystem ? eb('userId', 'is', null) : eb.and([eb('userId', 'is', null), eb('visibility', '=', 'public')]),
      ]),
    );
  }

  return {
    async findVisible(userId: string, id: string, includePrivateSystem: boolean): Promise<Agent | undefined> {
      const row = await visibleTo(userId, includePrivateSystem).selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAgent(row);
    },

    async listVisible(userId: string, options: AgentListOptions): Promise<{ items: Agent[]; total: number }> {
      let query = visibleTo(userId, options.includePrivateSystem);
      if (options.category !== undefined) query = query.where('category', '=', options.category);
      if (options.provider !== undefined) query = query.where('provider', '=', options.provider);
      if (options.inactive === 'none') query = query.where('status', '=', 'active');
      else if (options.inactive === 'own') query = query.where((eb) => eb.or([eb('status', '=', 'active'), eb('userId', '=', userId)]));
      const [rows, counted] = await Promise.all([
        query.selectAll().orderBy('createdAt', 'asc').orderBy('id', 'asc').limit(options.limit).offset(options.offset).execute(),
        query.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toAgent), total: Number(counted.total) };
    },

    async listBySource(source: AgentSource): Promise<Agent[]> {
      const rows = await db.selectFrom('agents').selectAll().where('source', '=', source).orderBy('id').execute();
      return rows.map(toAgent);
    },

    async findAnyIds(ids: string[]): Promise<Agent[]> {
      if (ids.length === 0) return [];
      return (await db.selectFrom('agents').selectAll().where('id', 'in', ids).execute()).map(toAgent);
    },

    /** False when the id is taken; never raises a unique violation (it would abort a PostgreSQL transaction). */
    async insert(agent: Agent): Promise<boolean> {
      const result = await db
        .insertInto('agents')
        .values({
          id: agent.id, userId: agent.ownerId, source: agent.source, name: agent.name, description: agent.description,
          category: agent.category, provider: agent.provider, avatar: agent.avatar, status: agent.status,
          visibility: agent.visibility, capabilities: JSON.stringify(agent.capabilities), config: JSON.stringify(agent.config),
          tools: JSON.stringify(agent.tools), knowledgeBaseIds: JSON.stringify(agent.knowledgeBaseIds),
          endpointProviderId: agent.endpointProviderId ?? null, appId: agent.appId ?? null,
          createdAt: agent.createdAt, updatedAt: agent.updatedAt,
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async update(id: string, fields: AgentPatch, now: string): Promise<void> {
      await db.updateTable('agents').set({ ...columnsOf(fields), updatedAt: now }).where('id', '=', id).execute();
    },

    /** The providers agents carry as their own, by id (only what a listing shows; never the key). */
    async findEndpointProviders(ids: string[]): Promise<Map<string, AgentEndpointProvider>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('providers')
        .select(['id', 'providerType', 'baseUrl', 'apiKeyHint'])
        .where('id', 'in', [...new Set(ids)])
        .execute();
      return new Map(rows.map((row) => [row.id, row]));
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

export type AgentsRepository = ReturnType<typeof createAgentsRepository>;
