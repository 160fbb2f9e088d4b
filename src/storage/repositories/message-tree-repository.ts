import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../schema.ts';
import type { MessageListOptions, NewMessage } from './message-rows.ts';
import { activeLeaf, activePath, reattachments, survivingAncestor, type MessageTree } from './message-tree.ts';

/** Statements stay well under both dialects' bound-parameter limits. */
const idBatchSize = 1000;

export function batches<T>(items: T[], size = idBatchSize): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** The shape of the caller's conversation: ids and parent links only, plus the selected branch. */
export async function loadMessageTree(db: Kysely<DatabaseSchema>, userId: string, conversationId: string): Promise<MessageTree> {
  const nodes = await db
    .selectFrom('messages')
    .select(['id', 'parentId'])
    .where('userId', '=', userId)
    .where('conversationId', '=', conversationId)
    .orderBy('id', 'asc')
    .execute();
  const conversation = await db
    .selectFrom('conversations')
    .select('activeMessageId')
    .where('userId', '=', userId)
    .where('id', '=', conversationId)
    .executeTakeFirst();
  return { nodes, selectedId: conversation?.activeMessageId ?? null };
}

/**
 * A message without a `parentId` continues the active branch: the first one of a batch goes
 * under the active leaf, each later one under the one before it (`null` makes a root).
 */
export async function withParents(db: Kysely<DatabaseSchema>, userId: string, conversationId: string, messages: NewMessage[]): Promise<NewMessage[]> {
  if (messages.every((message) => message.parentId !== undefined)) return messages;
  let previous = activeLeaf(await loadMessageTree(db, userId, conversationId)) ?? null;
  return messages.map((message) => {
    const parentId = message.parentId === undefined ? previous : message.parentId;
    previous = message.id;
    return { ...message, parentId };
  });
}

/** The active branch's ids, oldest first, within the list options' window. */
export async function activeWindow(db: Kysely<DatabaseSchema>, userId: string, conversationId: string, options: MessageListOptions): Promise<string[]> {
  let ids = activePath(await loadMessageTree(db, userId, conversationId));
  if (options.beforeId !== undefined) ids = ids.filter((id) => id < options.beforeId!);
  if (options.limit === undefined) return ids;
  const start = options.offset ?? 0;
  return ids.slice(start, start + options.limit);
}

/** Reads and changes the shape of a conversation's message tree; every method takes the owner. */
export function createMessageTreeRepository(db: Kysely<DatabaseSchema>) {
  return {
    load: (userId: string, conversationId: string) => loadMessageTree(db, userId, conversationId),

    async activePathIds(userId: string, conversationId: string): Promise<string[]> {
      return activePath(await loadMessageTree(db, userId, conversationId));
    },

    /** Selects the branch through this message (null: the newest message's branch). */
    async select(userId: string, conversationId: string, messageId: string | null): Promise<boolean> {
      const result = await db
        .updateTable('conversations')
        .set({ activeMessageId: messageId })
        .where('userId', '=', userId)
        .where('id', '=', conversationId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Deletes these messages of one conversation. Children of a deleted message that survive
     * move up to its nearest surviving ancestor, so removing one message of a chain keeps the
     * chain; a selection that pointed at a deleted message moves up the same way. Returns how
     * many rows were deleted.
     */
    async deleteAndReattach(userId: string, conversationId: string, ids: Set<string>): Promise<number> {
      const tree = await loadMessageTree(db, userId, conversationId);
      const removed = new Set(tree.nodes.filter((node) => ids.has(node.id)).map((node) => node.id));
      if (removed.size === 0) return 0;
      for (const [id, parentId] of reattachments(tree.nodes, removed)) {
        await db.updateTable('messages').set({ parentId }).where('userId', '=', userId).where('id', '=', id).execute();
      }
      if (tree.selectedId !== null && removed.has(tree.selectedId)) {
        await db
          .updateTable('conversations')
          .set({ activeMessageId: survivingAncestor(tree.nodes, tree.selectedId, removed) })
          .where('userId', '=', userId)
          .where('id', '=', conversationId)
          .execute();
      }
      let deleted = 0;
      for (const batch of batches([...removed])) {
        const result = await db
          .deleteFrom('messages')
          .where('userId', '=', userId)
          .where('conversationId', '=', conversationId)
          .where('id', 'in', batch)
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
    },
  };
}

export type MessageTreeRepository = ReturnType<typeof createMessageTreeRepository>;
