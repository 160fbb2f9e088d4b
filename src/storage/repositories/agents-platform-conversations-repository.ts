import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../schema.ts';

/**
 * The ids stateful agent platforms (Dify) give our conversations, one per conversation and
 * provider. Rows go with their conversation (foreign key cascade). The conversation id comes from
 * the chat engine, which has already checked its owner.
 */
export function createPlatformConversationsRepository(db: Kysely<DatabaseSchema>, clock: () => Date) {
  return {
    async find(conversationId: string, providerId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('platformConversations')
        .select('externalId')
        .where('conversationId', '=', conversationId)
        .where('providerId', '=', providerId)
        .executeTakeFirst();
      return row?.externalId;
    },

    async save(conversationId: string, providerId: string, externalId: string): Promise<void> {
      const updatedAt = clock().toISOString();
      await db
        .insertInto('platformConversations')
        .values({ conversationId, providerId, externalId, updatedAt })
        .onConflict((conflict) => conflict.columns(['conversationId', 'providerId']).doUpdateSet({ externalId, updatedAt }))
        .execute();
    },
  };
}

export type PlatformConversationsRepository = ReturnType<typeof createPlatformConversationsRepository>;
