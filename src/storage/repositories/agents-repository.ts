import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Agent, AgentFields, AgentSource } from '../../agents/agent-definition.ts';
import { parseJson } from '../errors.ts';
import type { AgentsTable, DatabaseSchema } from '../schema.ts';

export interface AgentListOptions {
  offset: number;
  limit: number;
  category?: string;
  provider?: string;
  includeInactive: boolean;
  /** Admins also see private system agents. */
  includePrivateSystem: boolean;
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
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function columnsOf(fields: Partial<AgentFields>): Updateable<AgentsTable> {
  const columns: Updateable<AgentsTable> = {};
  for (const key of ['name', 'description', 'category', 'provider', 'avatar', 'status', 'visibility'] as const) {
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
      if (!options.includeInactive) query = query.where('status', '=', 'active');
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
          createdAt: agent.createdAt, updatedAt: agent.updatedAt,
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async update(id: string, fields: Partial<AgentFields>, now: string): Promise<void> {
      await db.updateTable('agents').set({ ...columnsOf(fields), updatedAt: now }).where('id', '=', id).execute();
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

export type AgentsRepository = ReturnType<typeof createAgentsRepository>;
