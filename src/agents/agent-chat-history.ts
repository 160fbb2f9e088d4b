import { conversationIdPattern } from '../conversations/conversation-service.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import type { ClientChatIdsRepository } from '../storage/repositories/client-chat-ids-repository.ts';
import type { Conversation, ConversationsRepository } from '../storage/repositories/conversations-repository.ts';
import type { MessageEditsRepository } from '../storage/repositories/message-edits-repository.ts';
import type { Message, MessagesRepository } from '../storage/repositories/messages-repository.ts';

export type Feedback = 'good' | 'bad';

/** A chat as the caller's client names it. */
export interface ChatRef {
  conversation: Conversation;
  chatId: string;
}

export interface HistoryMessage {
  id: string;
  /** The client's id for an answer (its `responseChatItemId`), else the message id; retry and feedback take either. */
  dataId: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  feedback: Feedback | null;
  status: Message['status'];
  createdAt: string;
}

const feedbackOf = (message: Message): Feedback | null =>
  message.metadata.feedback === 'good' || message.metadata.feedback === 'bad' ? message.metadata.feedback : null;

/** The id the client knows a message by. */
export const dataIdOf = (message: Message): string =>
  typeof message.metadata.responseChatItemId === 'string' ? message.metadata.responseChatItemId : message.id;

const shown = (message: Message): message is Message & { role: HistoryMessage['role'] } =>
  message.role === 'user' || message.role === 'assistant' || message.role === 'system';

/**
 * LLMChat's web app's view of agent chats: found by the client's chat id (or the conversation's
 * own id), listed per agent, their active branch as history, feedback kept in message metadata.
 * Every lookup is the caller's own; another user's ids answer NOT_FOUND.
 */
export function createAgentChatHistory(dependencies: {
  conversations: ConversationsRepository;
  chatIds: ClientChatIdsRepository;
  messages: MessagesRepository;
  messageEdits: MessageEditsRepository;
  clock: () => Date;
}) {
  const { conversations, chatIds, messages, messageEdits, clock } = dependencies;

  /** The caller's conversation by its own id first, then by their client's id (as agent chat opens it). */
  async function find(userId: string, chatId: string): Promise<ChatRef | undefined> {
    if (!conversationIdPattern.test(chatId)) return undefined;
    const own = await conversations.findForUser(userId, chatId);
    if (own) return { conversation: own, chatId };
    const mapped = await chatIds.find(userId, chatId);
    const conversation = mapped ? await conversations.findForUser(userId, mapped) : undefined;
    return conversation && { conversation, chatId };
  }

  async function get(userId: string, chatId: string): Promise<ChatRef> {
    const found = await find(userId, chatId);
    if (!found) throw notFound('chat');
    return found;
  }

  /**
   * The message a client id names in this chat: a message id, or an answer's client id. After a
   * retry both the old and the new answer carry it; the one on the active branch wins, then the newest.
   */
  async function findMessage(userId: string, ref: ChatRef, dataId: string): Promise<Message> {
    const conversationId = ref.conversation.id;
    const all = await messages.listForConversation(userId, conversationId, { branch: 'all' });
    const matches = all.filter((message) => message.id === dataId || message.metadata.responseChatItemId === dataId);
    if (matches.length === 0) throw notFound('message');
    const active = new Set((await messages.listForConversation(userId, conversationId, {})).map((message) => message.id));
    const onBranch = matches.filter((message) => active.has(message.id));
    return (onBranch.length > 0 ? onBranch : matches).reduce((newest, message) => (message.id > newest.id ? message : newest));
  }

  return {
    find,
    get,

    list: (userId: string, agentId: string, window: { offset: number; limit: number }) => chatIds.listForAgent(userId, agentId, window),

    /** The active branch, oldest first. */
    async detail(userId: string, chatId: string) {
      const ref = await get(userId, chatId);
      const { conversation } = ref;
      const branch = await messages.listForConversation(userId, conversation.id, {});
      return {
        ref,
        messages: branch.filter(shown).map(
          (message): HistoryMessage => ({
            id: message.id, dataId: dataIdOf(message), role: message.role, content: message.content,
            feedback: feedbackOf(message), status: message.status, createdAt: message.createdAt,
          }),
        ),
      };
    },

    /** Deletes the caller's chat; false (not an error) when there is none, so a client's cleanup always succeeds. */
    async delete(userId: string, chatId: string): Promise<boolean> {
      const found = await find(userId, chatId);
      return found ? conversations.delete(userId, found.conversation.id) : false;
    },

    clear: (userId: string, agentId: string): Promise<number> => chatIds.deleteForAgent(userId, agentId),

    /** The user message a retry answers again, and the answer it replaces (absent when `dataId` named the question). */
    async retryTarget(userId: string, ref: ChatRef, dataId: string): Promise<{ question: Message; answer?: Message }> {
      const message = await findMessage(userId, ref, dataId);
      if (message.role === 'user') return { question: message };
      if (message.role !== 'assistant') throw validationError('dataId must name an answer or a question of this chat');
      const question = message.parentId ? await messages.findForUser(userId, message.parentId) : undefined;
      if (!question || question.role !== 'user' || question.conversationId !== ref.conversation.id) {
        throw validationError('this answer has no question above it to answer again');
      }
      return { question, answer: message };
    },

    /**
     * Sets (or with null clears) the caller's feedback on an answer. Without a chat id only a
     * message id is understood, since a client's answer id is unique only within its chat.
     */
    async setFeedback(userId: string, request: { chatId?: string; dataId: string; feedback: Feedback | null }) {
      const ref = request.chatId === undefined ? undefined : await get(userId, request.chatId);
      const message = ref ? await findMessage(userId, ref, request.dataId) : await messages.findForUser(userId, request.dataId);
      if (!message) throw notFound('message (send chatId too when dataId is your client id for the answer)');
      if (message.role !== 'assistant') throw validationError('feedback is given on answers (assistant messages), not on questions');
      const { feedback: _earlier, ...rest } = message.metadata;
      const metadata = request.feedback === null ? rest : { ...rest, feedback: request.feedback };
      if (!(await messageEdits.update(userId, message.id, { metadata }, clock().toISOString()))) {
        throw new AppError('CONFLICT', 'this answer is still being generated; give feedback when it has ended');
      }
      const chatId = ref?.chatId ?? (await chatIds.clientIdOf(userId, message.conversationId)) ?? message.conversationId;
      return { chatId, dataId: dataIdOf(message), messageId: message.id, feedback: request.feedback };
    },
  };
}

export type AgentChatHistory = ReturnType<typeof createAgentChatHistory>;
