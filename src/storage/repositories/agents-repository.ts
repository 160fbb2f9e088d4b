import type { Kysely, Selectable, Updateable } from 'kysely';
import { z } from 'zod';
import { jsonColumnsOf, stringListColumn } from '../json-columns.ts';
import type { AgentsTable, DatabaseSchema } from '../schema.ts';

type AgentRow = Selectable<AgentsTable>;

export type AgentSource = AgentRow['source'];

/** Whose agents a change may touch: a user's id, or null for the system agents (admins' and the agents file's). */
export type AgentOwner = string | null;

/**
 * The `config` column: how an agent calls its model. The API's schema (agents/agent-definition.ts)
 * bounds each field and must produce this shape; reading checks only the types, and keeps keys
 * this version does not know, so a rewrite of the config never drops them.
 */
const agentConfigShape = z.object({
  model: z.string().optional(),
  temperature: z.number().optional(),
  maxTokens: z.number().optional(),
  topP: z.number().optional(),
  systemPrompt: z.string().optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
  responseMode: z.enum(['streaming', 'blocking']).optional(),
});

export type StoredAgentConfig = z.output<typeof agentConfigShape>;

const agentConfigColumn = agentConfigShape.loose();

/** An agent row with its JSON decoded and its owner named for what it is. */
export interface StoredAgent extends Pick<AgentRow, 'id' | 'source' | 'name' | 'description' | 'category' | 'provider' | 'avatar' | 'status' | 'visibility' | 'createdAt' | 'updatedAt'> {
  /** Null for system agents, which every user can see when public. */
  ownerId: string | null;
  capabilities: string[];
  config: StoredAgentConfig;
  /** Tool names (the tool registry's), offered to the model on every turn. */
  tools: string[];
  knowledgeBaseIds: string[];
  /** The provider made for this agent from its own endpoint and key (deleted with it); null otherwise. */
  endpointProviderId?: string | null;
  /** The remote app's id (FastGPT's appId), when one was given. */
  appId?: string | null;
}

/** Every field an agent has besides its id, owner, source, endpoint and timestamps. */
export type StoredAgentFields = Omit<StoredAgent, 'id' | 'ownerId' | 'source' | 'endpointProviderId' | 'appId' | 'createdAt' | 'updatedAt'>;

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
export interface AgentPatch extends Partial<StoredAgentFields> {
  endpointProviderId?: string | null;
  appId?: string | null;
}

function toAgent(row: AgentRow): StoredAgent {
  const json = jsonColumnsOf('agents', row.id);
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
    capabilities: json('capabilities', stringListColumn, row.capabilities),
    config: json('config', agentConfigColumn, row.config),
    tools: json('tools', stringListColumn, row.tools),
    knowledgeBaseIds: json('knowledgeBaseIds', stringListColumn, row.knowledgeBaseIds),
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
 * Agents. A user sees their own and the public system agents (admins every system agent); every
 * read takes the caller and every change the owner (`AgentOwner`: null names the system agents,
 * which only admins' and the agents file's paths pass), so another user's agent is simply not found.
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
    async findVisible(userId: string, id: string, includePrivateSystem: boolean): Promise<StoredAgent | undefined> {
      const row = await visibleTo(userId, includePrivateSystem).selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAgent(row);
    },

    async listVisible(userId: string, options: AgentListOptions): Promise<{ items: StoredAgent[]; total: number }> {
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

    /** The system agents from one source (the agents file's, for its reload). */
    async listSystemBySource(source: Exclude<AgentSource, 'user'>): Promise<StoredAgent[]> {
      const rows = await db.selectFrom('agents').selectAll().where('userId', 'is', null).where('source', '=', source).orderBy('id').execute();
      return rows.map(toAgent);
    },

    /**
     * Which of these ids are taken, by anyone: agent ids are one namespace across owners. Only
     * the ids come back, never another owner's agent.
     */
    async findTakenIds(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('agents').select('id').where('id', 'in', [...new Set(ids)]).execute();
      return new Set(rows.map((row) => row.id));
    },

    /** False when the id is taken; never raises a unique violation (it would abort a PostgreSQL transaction). */
    async insert(agent: StoredAgent): Promise<boolean> {
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

    /** False when the owner has no agent with this id. */
    async update(owner: AgentOwner, id: string, fields: AgentPatch, now: string): Promise<boolean> {
      const result = await ownedBy(db.updateTable('agents').set({ ...columnsOf(fields), updatedAt: now }).where('id', '=', id), owner).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The providers these agents carry as their own, among those the caller can use (only what a listing shows; never the key). */
    async findEndpointProviders(userId: string, ids: string[]): Promise<Map<string, AgentEndpointProvider>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('providers')
        .select(['id', 'providerType', 'baseUrl', 'apiKeyHint'])
        .where('id', 'in', [...new Set(ids)])
        .where((eb) => eb.or([eb('userId', '=', userId), eb('userId', 'is', null)]))
        .execute();
      return new Map(rows.map((row) => [row.id, row]));
    },

    async delete(owner: AgentOwner, id: string): Promise<boolean> {
      const result = await ownedBy(db.deleteFrom('agents').where('id', '=', id), owner).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}

/** Narrows a change to the owner's rows; null is the system agents, never "any owner". */
function ownedBy<Query extends { where: (column: 'userId', operator: 'is' | '=', value: string | null) => Query }>(query: Query, owner: AgentOwner): Query {
  return owner === null ? query.where('userId', 'is', null) : query.where('userId', '=', owner);
}

export type AgentsRepository = ReturnType<typeof createAgentsRepository>;
