import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import type { ConversationsTable, DatabaseSchema } from '../schema.ts';
import { createConversationsRepository, type NewConversation } from './conversations-repository.ts';

/** One of a user's chats with an agent, named by the client's id when it gave one. */
export interface ClientChat extends Pick<Selectable<ConversationsTable>, 'agentId' | 'title' | 'createdAt' | 'updatedAt'> {
  conversationId: string;
  /** The client's id for it, or the conversation's own id when none was given. */
  chatId: string;
  messageCount: number;
}

/** Thrown inside the creating transaction when another request claimed the client id first. */
class ClientIdTaken extends Error {}

/**
 * Client-chosen conversation ids (LLMChat's `session_<ms>`), keyed by (user, client id): the same
 * client id of two users names two conversations, and a lookup never leaves the caller's own.
 */
export function createClientChatIdsRepository(db: Kysely<DatabaseSchema>) {
  async function find(userId: string, clientId: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('conversationClientIds')
      .innerJoin('conversations', 'conversations.id', 'conversationClientIds.conversationId')
      .select('conversationClientIds.conversationId')
      .where('conversationClientIds.userId', '=', userId)
      .where('conversationClientIds.clientId', '=', clientId)
      .where('conversations.userId', '=', userId)
      .executeTakeFirst();
    return row?.conversationId;
  }

  return {
    find,

    /**
     * The caller's conversation for this client id, created with `conversation`'s fields on first
     * use. Concurrent first uses make one conversation: the loser's transaction rolls back.
     */
    async findOrCreate(userId: string, clientId: string, conversation: NewConversation): Promise<{ conversationId: string; created: boolean }> {
      const existing = await find(userId, clientId);
      if (existing) return { conversationId: existing, created: false };
      try {
        await db.transaction().execute(async (transaction) => {
          await createConversationsRepository(transaction).create(userId, conversation);
          const result = await transaction
            .insertInto('conversationClientIds')
            .values({ userId, clientId, conversationId: conversation.id, createdAt: conversation.now })
            .onConflict((conflict) => conflict.columns(['userId', 'clientId']).doNothing())
            .executeTakeFirst();
          if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) throw new ClientIdTaken();
        });
        return { conversationId: conversation.id, created: true };
      } catch (error) {
        if (!(error instanceof ClientIdTaken)) throw error;
      }
      const winner = await find(userId, clientId);
      if (!winner) throw new AppError('CONFLICT', 'this chat was deleted while it was being created; send the message again');
      return { conversationId: winner, created: false };
    },

    /** The client's id for this conversation of the caller's, if it gave one. */
    async clientIdOf(userId: string, conversationId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('conversationClientIds')
        .select('clientId')
        .where('userId', '=', userId)
        .where('conversationId', '=', conversationId)
        .executeTakeFirst();
      return row?.clientId;
    },

    /** The caller's conversations with this agent, most recently updated first. */
    async listForAgent(userId: string, agentId: string, window: { offset: number; limit: number }): Promise<ClientChat[]> {
      const rows = await db
        .selectFrom('conversations')
        .leftJoin('conversationClientIds', (join) =>
          join
            .onRef('conversationClientIds.conversationId', '=', 'conversations.id')
            .onRef('conversationClientIds.userId', '=', 'conversations.userId'),
        )
        .select([
          'conversations.id', 'conversationClientIds.clientId', 'conversations.agentId', 'conversations.title',
          'conversations.createdAt', 'conversations.updatedAt',
        ])
        .select((eb) =>
          eb.selectFrom('messages').select((inner) => inner.fn.countAll().as('count')).whereRef('messages.conversationId', '=', 'conversations.id').as('messageCount'),
        )
        .where('conversations.userId', '=', userId)
        .where('conversations.agentId', '=', agentId)
        .orderBy('conversations.updatedAt', 'desc')
        .orderBy('conversations.id', 'desc')
        .limit(window.limit)
        .offset(window.offset)
        .execute();
      return rows.map((row) => ({
        conversationId: row.id,
        chatId: row.clientId ?? row.id,
        agentId: row.agentId,
        title: row.title,
        // PostgreSQL answers count(*) as a bigint string.
        messageCount: Number(row.messageCount ?? 0),
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      }));
    },

    /** Deletes every conversation of the caller's with this agent (messages and client ids cascade). */
    async deleteForAgent(userId: string, agentId: string): Promise<number> {
      const result = await db.deleteFrom('conversations').where('userId', '=', userId).where('agentId', '=', agentId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type ClientChatIdsRepository = ReturnType<typeof createClientChatIdsRepository>;
