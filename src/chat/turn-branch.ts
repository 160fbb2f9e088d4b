import { notFound } from '../errors/app-error.ts';
import type { Message, MessagesRepository } from '../storage/repositories/messages-repository.ts';

/** Where a turn sits in the conversation's message tree (docs/decisions/0006-message-tree-and-app-model.md). */
export interface TurnBranchRequest {
  userId: string;
  conversationId: string;
  /** The new user message goes under this message (null: a new root), not under the active leaf. */
  parentMessageId?: string | null;
  /** A stored user message to answer again: only a new assistant message is made. */
  regenerateMessageId?: string;
  historyFromClient?: boolean;
}

export interface TurnBranch {
  /** The earlier messages the model sees, oldest first: the chain the new message hangs from. */
  history: Message[];
  /** The new user message's parent; undefined lets the store put it under the active leaf. */
  parentId: string | null | undefined;
  /** The stored user message being answered again. */
  regenerated?: Message;
}

/**
 * The history of a turn follows one branch only: the active branch for a new message, the
 * chain above the edited message for an edit, the chain above the user message for a
 * regeneration. Ids from another conversation or user answer NOT_FOUND.
 */
export async function resolveTurnBranch(messages: MessagesRepository, request: TurnBranchRequest): Promise<TurnBranch> {
  const { userId, conversationId } = request;
  if (request.regenerateMessageId !== undefined) {
    const regenerated = await messages.findForUser(userId, request.regenerateMessageId);
    if (!regenerated || regenerated.conversationId !== conversationId || regenerated.role !== 'user') throw notFound('user message');
    const history = regenerated.parentId === null ? [] : await messages.listPathTo(userId, conversationId, regenerated.parentId);
    return { history, parentId: regenerated.parentId, regenerated };
  }
  if (request.parentMessageId !== undefined) {
    if (request.parentMessageId === null) return { history: [], parentId: null };
    const history = await messages.listPathTo(userId, conversationId, request.parentMessageId);
    if (history.length === 0) throw notFound('parent message');
    return { history, parentId: request.parentMessageId };
  }
  if (request.historyFromClient) return { history: [], parentId: undefined };
  const history = await messages.listForConversation(userId, conversationId, {});
  // Pinned to what the model sees, so a write racing this turn cannot move it to another branch.
  return { history, parentId: history.at(-1)?.id ?? null };
}
