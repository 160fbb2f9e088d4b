import type { Kysely, Selectable } from 'kysely';
import type { AgentsTable, ConversationsTable, DatabaseSchema, SessionGroupsTable } from '../schema.ts';

export type SessionGroup = Selectable<SessionGroupsTable>;

/** What a group holds: the caller's conversations and own agents filed in it. */
export interface SessionGroupMembers {
  conversations: Pick<Selectable<ConversationsTable>, 'id' | 'title'>[];
  agents: Pick<Selectable<AgentsTable>, 'id' | 'name'>[];
}

export type GroupMemberKind = 'conversation' | 'agent';

/** LobeChat's session groups: one user's folders of conversations and agents. */
export function createSessionGroupsRepository(db: Kysely<DatabaseSchema>) {
  const owned = (userId: string) => db.selectFrom('sessionGroups').selectAll().where('userId', '=', userId);

  return {
    async list(userId: string): Promise<SessionGroup[]> {
      return owned(userId).orderBy('sortIndex', 'asc').orderBy('createdAt', 'asc').orderBy('id', 'asc').execute();
    },

    async findForUser(userId: string, id: string): Promise<SessionGroup | undefined> {
      return owned(userId).where('id', '=', id).executeTakeFirst();
    },

    /** One past the highest sort index, so a new group goes last. */
    async nextSortIndex(userId: string): Promise<number> {
      const row = await db
        .selectFrom('sessionGroups')
        .select((eb) => eb.fn.max('sortIndex').as('highest'))
        .where('userId', '=', userId)
        .executeTakeFirst();
      return row?.highest == null ? 0 : Number(row.highest) + 1;
    },

    async insert(group: SessionGroup): Promise<void> {
      await db.insertInto('sessionGroups').values(group).execute();
    },

    async update(userId: string, id: string, fields: { name?: string; sortIndex?: number }, now: string): Promise<boolean> {
      const result = await db
        .updateTable('sessionGroups')
        .set({ ...fields, updatedAt: now })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Members are ungrouped by the foreign keys' ON DELETE SET NULL. */
    async delete(userId: string, id: string): Promise<boolean> {
      const result = await db.deleteFrom('sessionGroups').where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async deleteAll(userId: string): Promise<number> {
      const result = await db.deleteFrom('sessionGroups').where('userId', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Files the caller's conversation or own agent in a group (null: ungrouped); false when it is not theirs. */
    async setGroup(userId: string, kind: GroupMemberKind, id: string, groupId: string | null): Promise<boolean> {
      const table = kind === 'conversation' ? 'conversations' : 'agents';
      const result = await db
        .updateTable(table)
        .set({ sessionGroupId: groupId })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Members of each of these groups, keyed by group id. */
    async members(userId: string, groupIds: string[]): Promise<Map<string, SessionGroupMembers>> {
      const byGroup = new Map<string, SessionGroupMembers>(groupIds.map((id) => [id, { conversations: [], agents: [] }]));
      if (groupIds.length === 0) return byGroup;
      const [conversations, agents] = await Promise.all([
        db
          .selectFrom('conversations')
          .select(['id', 'title', 'sessionGroupId'])
          .where('userId', '=', userId)
          .where('sessionGroupId', 'in', groupIds)
          .orderBy('updatedAt', 'desc')
          .execute(),
        db
          .selectFrom('agents')
          .select(['id', 'name', 'sessionGroupId'])
          .where('userId', '=', userId)
          .where('sessionGroupId', 'in', groupIds)
          .orderBy('name', 'asc')
          .execute(),
      ]);
      for (const row of conversations) byGroup.get(row.sessionGroupId!)?.conversations.push({ id: row.id, title: row.title });
      for (const row of agents) byGroup.get(row.sessionGroupId!)?.agents.push({ id: row.id, name: row.name });
      return byGroup;
    },
  };
}

export type SessionGroupsRepository = ReturnType<typeof createSessionGroupsRepository>;
