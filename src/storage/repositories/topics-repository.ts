import type { Kysely, Selectable } from 'kysely';
import type { ConversationsTable, DatabaseSchema } from '../schema.ts';
import { fromFlag, toFlag } from '../sql-flags.ts';

/** LobeChat's topic: a conversation, seen as one of an agent's (or the inbox's) chats. */
export interface Topic extends Pick<Selectable<ConversationsTable>, 'id' | 'title' | 'agentId' | 'sessionGroupId' | 'createdAt' | 'updatedAt'> {
  favorite: boolean;
  messageCount: number;
}

export interface TopicListOptions {
  /** The agent whose conversations to list; null lists conversations without an agent. */
  agentId: string | null;
  favoriteOnly?: boolean;
  offset: number;
  limit: number;
}

/** Topics over the conversations table; threads (conversations branched off another) are not topics. */
export function createTopicsRepository(db: Kysely<DatabaseSchema>) {
  function owned(userId: string, options: Pick<TopicListOptions, 'agentId' | 'favoriteOnly'>) {
    let query = db
      .selectFrom('conversations')
      .where('conversations.userId', '=', userId)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('threads').select('threads.id').whereRef('threads.id', '=', 'conversations.id'))));
    query = options.agentId === null ? query.where('conversations.agentId', 'is', null) : query.where('conversations.agentId', '=', options.agentId);
    if (options.favoriteOnly) query = query.where('conversations.favorite', '=', 1);
    return query;
  }

  return {
    /** Favourites first, then the most recently updated. */
    async list(userId: string, options: TopicListOptions): Promise<{ items: Topic[]; total: number }> {
      const [rows, counted] = await Promise.all([
        owned(userId, options)
          .select(['id', 'title', 'agentId', 'favorite', 'sessionGroupId', 'createdAt', 'updatedAt'])
          .select((eb) =>
            eb.selectFrom('messages').select((inner) => inner.fn.countAll().as('count')).whereRef('messages.conversationId', '=', 'conversations.id').as('messageCount'),
          )
          .orderBy('favorite', 'desc')
          .orderBy('updatedAt', 'desc')
          .orderBy('id', 'desc')
          .limit(options.limit)
          .offset(options.offset)
          .execute(),
        owned(userId, options).select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow(),
      ]);
      return {
        items: rows.map((row) => ({ ...row, favorite: fromFlag(row.favorite), messageCount: Number(row.messageCount ?? 0) })),
        total: Number(counted.total),
      };
    },

    async find(userId: string, id: string): Promise<Topic | undefined> {
      const row = await db
        .selectFrom('conversations')
        .select(['id', 'title', 'agentId', 'favorite', 'sessionGroupId', 'createdAt', 'updatedAt'])
        .select((eb) =>
          eb.selectFrom('messages').select((inner) => inner.fn.countAll().as('count')).whereRef('messages.conversationId', '=', 'conversations.id').as('messageCount'),
        )
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { ...row, favorite: fromFlag(row.favorite), messageCount: Number(row.messageCount ?? 0) };
    },

    async update(userId: string, id: string, fields: { title?: string; favorite?: boolean }, now: string): Promise<boolean> {
      const result = await db
        .updateTable('conversations')
        .set({
          ...(fields.title !== undefined ? { title: fields.title } : {}),
          ...(fields.favorite !== undefined ? { favorite: toFlag(fields.favorite) } : {}),
          updatedAt: now,
        })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type TopicsRepository = ReturnType<typeof createTopicsRepository>;
