import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, ThreadsTable } from '../schema.ts';

/** A thread's row joined with its own conversation's title. */
export type Thread = Selectable<ThreadsTable> & { title: string };

/** LobeChat's threads: conversations branched from a message of another conversation. */
export function createThreadsRepository(db: Kysely<DatabaseSchema>) {
  const owned = (userId: string) =>
    db
      .selectFrom('threads')
      .innerJoin('conversations', 'conversations.id', 'threads.id')
      .selectAll('threads')
      .select('conversations.title')
      .where('threads.userId', '=', userId);

  return {
    async insert(thread: Selectable<ThreadsTable>): Promise<void> {
      await db.insertInto('threads').values(thread).execute();
    },

    async findForUser(userId: string, id: string): Promise<Thread | undefined> {
      return owned(userId).where('threads.id', '=', id).executeTakeFirst();
    },

    /** Threads branched from this conversation, newest first. */
    async listForConversation(userId: string, conversationId: string): Promise<Thread[]> {
      return owned(userId).where('threads.sourceConversationId', '=', conversationId).orderBy('threads.createdAt', 'desc').orderBy('threads.id', 'desc').execute();
    },

    async update(userId: string, id: string, fields: { status?: ThreadsTable['status'] }, now: string): Promise<boolean> {
      const result = await db
        .updateTable('threads')
        .set({ ...fields, updatedAt: now })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type ThreadsRepository = ReturnType<typeof createThreadsRepository>;
