import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../schema.ts';

/** Direct changes to a stored message's content and metadata (LobeChat's message router). */
export function createMessageEditsRepository(db: Kysely<DatabaseSchema>) {
  return {
    /**
     * Writes the given fields. An answer still `generating` is refused (false), because its
     * turn would overwrite the change at the next flush.
     */
    async update(userId: string, id: string, fields: { content?: string; metadata?: Record<string, unknown> }, now: string): Promise<boolean> {
      const result = await db
        .updateTable('messages')
        .set({
          ...(fields.content !== undefined ? { content: fields.content } : {}),
          ...(fields.metadata !== undefined ? { metadata: JSON.stringify(fields.metadata) } : {}),
          updatedAt: now,
        })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .where('status', '<>', 'generating')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type MessageEditsRepository = ReturnType<typeof createMessageEditsRepository>;
