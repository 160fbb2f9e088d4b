import type { ChatService, StartedTurn, TurnRequest } from '../chat/chat-service.ts';
import { notFound, validationError } from '../errors/app-error.ts';
import { activeLeaf, activePath, siblingsOf } from '../storage/repositories/message-tree.ts';
import type { Message } from '../storage/repositories/messages-repository.ts';
import type { AppModelRepositories } from './app-model-repositories.ts';

/** Who starts a turn and how; the rest of the turn request comes from the message. */
export type TurnCaller = Pick<TurnRequest, 'userId' | 'apiKeyId' | 'permissionLevel' | 'surface'> &
  Pick<TurnRequest, 'providerId' | 'model' | 'thinkingEnabled' | 'enabledTools'>;

export interface ConversationTree {
  messages: Message[];
  /** The stored selection, as clients last switched to it. */
  selectedMessageId: string | null;
  activeLeafId: string | null;
  activePath: string[];
}

export interface SiblingList {
  siblings: Message[];
  /** Position of the asked-for message among its siblings. */
  index: number;
  /** The sibling on the active branch, if any. */
  activeSiblingId: string | null;
}

/**
 * The message tree as LobeChat's branching UI uses it: list siblings, switch the active branch,
 * edit a user message into a new branch, regenerate an answer as a sibling.
 */
export function createMessageTreeService(options: { repositories: AppModelRepositories; chat: ChatService }) {
  const { repositories, chat } = options;

  async function message(userId: string, id: string): Promise<Message> {
    const found = await repositories.messages.findForUser(userId, id);
    if (!found) throw notFound('message');
    return found;
  }

  return {
    async tree(userId: string, conversationId: string): Promise<ConversationTree> {
      if (!(await repositories.conversations.findForUser(userId, conversationId))) throw notFound('conversation');
      const [tree, messages] = await Promise.all([
        repositories.tree.load(userId, conversationId),
        repositories.messages.listForConversation(userId, conversationId, { branch: 'all' }),
      ]);
      return { messages, selectedMessageId: tree.selectedId, activeLeafId: activeLeaf(tree) ?? null, activePath: activePath(tree) };
    },

    async siblings(userId: string, id: string): Promise<SiblingList> {
      const found = await message(userId, id);
      const tree = await repositories.tree.load(userId, found.conversationId);
      const ids = siblingsOf(tree.nodes, id).map((node) => node.id);
      const onPath = new Set(activePath(tree));
      return {
        siblings: await repositories.messages.findManyForUser(userId, ids),
        index: ids.indexOf(id),
        activeSiblingId: ids.find((sibling) => onPath.has(sibling)) ?? null,
      };
    },

    /** Makes the branch through this message active; returns the new active branch, oldest first. */
    async switchTo(userId: string, id: string): Promise<Message[]> {
      const found = await message(userId, id);
      await repositories.tree.select(userId, found.conversationId, id);
      return repositories.messages.listForConversation(userId, found.conversationId, {});
    },

    /**
     * Edits a user message the way chat UIs do: the edited text becomes a sibling of the
     * original (same parent), answered on a new branch; the original branch is kept.
     */
    async edit(caller: TurnCaller, id: string, content: string): Promise<StartedTurn> {
      const found = await message(caller.userId, id);
      if (found.role !== 'user') throw validationError('only a user message can be edited into a new branch; change other messages with PATCH /api/messages/{id}');
      return chat.start({ ...caller, conversationId: found.conversationId, content, parentMessageId: found.parentId });
    },

    /** A new answer to the user message (or to the user message an assistant message answers), as a sibling of earlier answers. */
    async regenerate(caller: TurnCaller, id: string): Promise<StartedTurn> {
      const found = await message(caller.userId, id);
      let userMessage = found;
      if (found.role === 'assistant') {
        const parent = found.parentId === null ? undefined : await repositories.messages.findForUser(caller.userId, found.parentId);
        if (!parent || parent.role !== 'user') throw validationError('this answer has no user message to answer again');
        userMessage = parent;
      } else if (found.role !== 'user') {
        throw validationError('only user and assistant messages can be regenerated');
      }
      return chat.start({ ...caller, conversationId: userMessage.conversationId, content: userMessage.content, regenerateMessageId: userMessage.id });
    },
  };
}

export type MessageTreeService = ReturnType<typeof createMessageTreeService>;
