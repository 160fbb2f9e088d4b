import type { Kysely, Updateable } from 'kysely';
import { notFound } from '../../errors/app-error.ts';
import type { DatabaseSchema, MessagesTable } from '../schema.ts';
import { toMessage, toMessageRow, type Message, type MessageListOptions, type MessageProgress, type MessageRole, type NewMessage } from './message-rows.ts';
import { activeWindow, batches, createMessageTreeRepository, withParents } from './message-tree-repository.ts';
import { pathTo } from './message-tree.ts';

export type { Message, MessageListOptions, MessageProgress, MessageRole, MessageStatus, NewMessage } from './message-rows.ts';

/** 16 columns a row, so 1,000 rows stay well under both dialects' limit of 32,766 parameters. */
const insertBatchSize = 1000;

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Messages of conversations; every method takes the owner and scopes by it. */
export function createMessagesRepository(db: Kysely<DatabaseSchema>) {
  function selectOwned(userId: string, conversationId: string) {
    return db
      .selectFrom('messages')
      .selectAll()
      .where('userId', '=', userId)
      .where('conversationId', '=', conversationId);
  }

  async function conversationIsOwned(userId: string, conversationId: string): Promise<boolean> {
    const row = await db
      .selectFrom('conversations')
      .select('id')
      .where('userId', '=', userId)
      .where('id', '=', conversationId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Appends messages to the caller's conversation, or throws NOT_FOUND when it is not theirs.
   * A conversation deleted between the check and the insert fails the foreign key, which is
   * the same answer. The last message becomes the conversation's active branch.
   */
  async function createMany(userId: string, conversationId: string, messages: NewMessage[]): Promise<Message[]> {
    if (!(await conversationIsOwned(userId, conversationId))) throw notFound('conversation');
    if (messages.length === 0) return [];
    const rows = (await withParents(db, userId, conversationId, messages)).map((message) => toMessageRow(userId, conversationId, message));
    try {
      // Batches keep each statement under SQLite's and PostgreSQL's bound-parameter limits.
      for (let start = 0; start < rows.length; start += insertBatchSize) {
        await db.insertInto('messages').values(rows.slice(start, start + insertBatchSize)).execute();
      }
    } catch (error) {
      if (isForeignKeyViolation(error)) throw notFound('conversation');
      throw error;
    }
    await db
      .updateTable('conversations')
      .set({ activeMessageId: rows[rows.length - 1]!.id })
      .where('userId', '=', userId)
      .where('id', '=', conversationId)
      .execute();
    return rows.map(toMessage);
  }

  /** These messages of the caller's, in the order of `ids`; unknown ids are left out. */
  async function findManyForUser(userId: string, ids: string[]): Promise<Message[]> {
    const found = new Map<string, Message>();
    for (const batch of batches(ids)) {
      const rows = await db.selectFrom('messages').selectAll().where('userId', '=', userId).where('id', 'in', batch).execute();
      for (const row of rows) found.set(row.id, toMessage(row));
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  return {
    createMany,
    findManyForUser,

    async create(userId: string, conversationId: string, message: NewMessage): Promise<Message> {
      const [created] = await createMany(userId, conversationId, [message]);
      return created!;
    },

    /** Oldest first; with `beforeId`, only messages created before that one. The active branch unless `branch: 'all'`. */
    async listForConversation(userId: string, conversationId: string, options: MessageListOptions): Promise<Message[]> {
      if (options.branch !== 'all') return findManyForUser(userId, await activeWindow(db, userId, conversationId, options));
      let query = selectOwned(userId, conversationId);
      if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
      query = query.orderBy('id', 'asc');
      // SQLite accepts OFFSET only after LIMIT, so a window needs both.
      if (options.limit !== undefined) query = query.limit(options.limit).offset(options.offset ?? 0);
      const rows = await query.execute();
      return rows.map(toMessage);
    },

    async count(userId: string, conversationId: string, options: { beforeId?: string; branch?: 'active' | 'all' } = {}): Promise<number> {
      if (options.branch !== 'all') return (await activeWindow(db, userId, conversationId, { beforeId: options.beforeId })).length;
      let query = db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('total'))
        .where('userId', '=', userId)
        .where('conversationId', '=', conversationId);
      if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
      const row = await query.executeTakeFirstOrThrow();
      return Number(row.total);
    },

    /** The messages from the root down to this one (the history a branch from it sees); empty when it is not in the conversation. */
    async listPathTo(userId: string, conversationId: string, messageId: string): Promise<Message[]> {
      return findManyForUser(userId, pathTo((await createMessageTreeRepository(db).load(userId, conversationId)).nodes, messageId));
    },

    /** The oldest message with this role, e.g. the first user message as a conversation's preview. */
    async findFirstWithRole(userId: string, conversationId: string, role: MessageRole): Promise<Message | undefined> {
      const row = await selectOwned(userId, conversationId).where('role', '=', role).orderBy('id', 'asc').limit(1).executeTakeFirst();
      return row && toMessage(row);
    },

    async findForUser(userId: string, id: string): Promise<Message | undefined> {
      const row = await db
        .selectFrom('messages')
        .selectAll()
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toMessage(row);
    },

    /**
     * Writes a generating message's progress. Only a message still `generating` is changed, so a
     * late flush can never overwrite the final state; false when nothing was written.
     */
    async updateProgress(userId: string, id: string, progress: MessageProgress): Promise<boolean> {
      const values: Updateable<MessagesTable> = {
        content: progress.content,
        steps: JSON.stringify(progress.steps),
        status: progress.status,
        updatedAt: progress.now,
      };
      if (progress.tokenCount !== undefined) values.tokenCount = progress.tokenCount;
      if (progress.usage !== undefined) values.usage = progress.usage === null ? null : JSON.stringify(progress.usage);
      if (progress.error !== undefined) values.error = progress.error;
      if (progress.model !== undefined) values.model = progress.model;
      const result = await db
        .updateTable('messages')
        .set(values)
        .where('userId', '=', userId)
        .where('id', '=', id)
        .where('status', '=', 'generating')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * System sweep, across users: ends `generating` messages last written before `before` (their
     * runner died) as `incomplete`, keeping whatever partial content was flushed. Returns the ids.
     */
    async endAbandoned(before: string, now: string): Promise<string[]> {
      const rows = await db
        .updateTable('messages')
        .set({ status: 'incomplete', error: 'The server stopped while this answer was being generated.', updatedAt: now })
        .where('status', '=', 'generating')
        .where('updatedAt', '<', before)
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    /** Deletes one message; its children move up to its parent (see message-tree-repository). */
    async delete(userId: string, id: string): Promise<boolean> {
      const message = await db.selectFrom('messages').select('conversationId').where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
      if (!message) return false;
      return (await createMessageTreeRepository(db).deleteAndReattach(userId, message.conversationId, new Set([id]))) === 1;
    },

    /** Deletes every message of the caller's conversation; returns how many were removed. */
    async deleteForConversation(userId: string, conversationId: string): Promise<number> {
      const result = await db
        .deleteFrom('messages')
        .where('userId', '=', userId)
        .where('conversationId', '=', conversationId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type MessagesRepository = ReturnType<typeof createMessagesRepository>;
