import { notFound, validationError } from '../errors/app-error.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { ConversationTransaction } from '../storage/repositories/conversation-transaction.ts';
import type {
  Conversation,
  ConversationFields,
  ConversationListOptions,
  ConversationsRepository,
} from '../storage/repositories/conversations-repository.ts';
import type { Message, MessageRole, MessagesRepository, NewMessage } from '../storage/repositories/messages-repository.ts';

/** Client-chosen conversation ids (LLMChat's `session_1700000000000`, StellarByte's UUIDs). */
export const conversationIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

export const defaultConversationTitle = 'New conversation';

export interface ConversationServiceOptions {
  conversations: ConversationsRepository;
  messages: MessagesRepository;
  transaction: ConversationTransaction;
  newId: IdGenerator;
  clock: () => Date;
}

/** What a client may set on a stored message; the id and timestamps are ours. */
export type MessageInput = Omit<NewMessage, 'id' | 'now'>;

export interface TranscriptEntry {
  role: MessageRole;
  content: string;
}

export interface TranscriptSave {
  id: string;
  title?: string;
  agentId?: string | null;
  messages: TranscriptEntry[];
}

/** Whether the stored messages begin the incoming transcript, so appending the rest is enough. */
function isPrefixOf(stored: Message[], incoming: TranscriptEntry[]): boolean {
  if (stored.length > incoming.length) return false;
  return stored.every((message, index) => message.role === incoming[index]!.role && message.content === incoming[index]!.content);
}

/**
 * One stored conversation behind every seed's paths (Luxx conversations, StellarByte sessions,
 * LLMChat chat sessions). Every operation takes the caller's user id; another user's objects
 * answer NOT_FOUND, never FORBIDDEN, so their ids cannot be probed.
 */
export function createConversationService(options: ConversationServiceOptions) {
  const { conversations, messages, transaction, newId, clock } = options;
  const now = () => clock().toISOString();

  function checkClientId(id: string): void {
    if (!conversationIdPattern.test(id)) {
      throw validationError('conversation id must be 1-128 characters of letters, digits, _ . : and -');
    }
  }

  async function get(userId: string, id: string): Promise<Conversation> {
    const conversation = await conversations.findForUser(userId, id);
    if (!conversation) throw notFound('conversation');
    return conversation;
  }

  /** Every message, oldest first. */
  const allMessages = (userId: string, conversationId: string): Promise<Message[]> =>
    messages.listForConversation(userId, conversationId, {});

  return {
    get,

    async create(userId: string, fields: ConversationFields & { id?: string }): Promise<Conversation> {
      const { id, ...rest } = fields;
      if (id !== undefined) checkClientId(id);
      return conversations.create(userId, { ...rest, id: id ?? newId(), title: fields.title ?? defaultConversationTitle, now: now() });
    },

    /**
     * The caller's conversation with this client-chosen id, created on first use (StellarByte's
     * `session_id`); an id another user holds answers NOT_FOUND, as if it did not exist.
     */
    async open(userId: string, id: string, fields: { title?: string } = {}): Promise<{ conversation: Conversation; created: boolean }> {
      checkClientId(id);
      return conversations.findOrCreate(userId, { id, title: fields.title ?? defaultConversationTitle, now: now() });
    },

    list(userId: string, listOptions: ConversationListOptions): Promise<{ items: Conversation[]; total: number }> {
      return conversations.listForUser(userId, listOptions);
    },

    async update(userId: string, id: string, fields: ConversationFields): Promise<Conversation> {
      const updated = await conversations.update(userId, id, fields, now());
      if (!updated) throw notFound('conversation');
      return updated;
    },

    async delete(userId: string, id: string): Promise<void> {
      if (!(await conversations.delete(userId, id))) throw notFound('conversation');
    },

    /** Stores one message and moves the conversation to the top of recency-ordered lists. */
    async addMessage(userId: string, conversationId: string, input: MessageInput): Promise<Message> {
      return transaction(async (repositories) => {
        const at = now();
        if (!(await repositories.conversations.touch(userId, conversationId, at))) throw notFound('conversation');
        return repositories.messages.create(userId, conversationId, { ...input, id: newId(), now: at });
      });
    },

    /** A window of messages, oldest first (StellarByte's skip/limit). */
    async listMessages(userId: string, conversationId: string, window: { offset: number; limit: number }): Promise<Message[]> {
      await get(userId, conversationId);
      return messages.listForConversation(userId, conversationId, window);
    },

    /** The whole conversation as role and content, oldest first (the context a model sees). */
    async transcript(userId: string, conversationId: string): Promise<TranscriptEntry[]> {
      await get(userId, conversationId);
      return (await allMessages(userId, conversationId)).map(({ role, content }) => ({ role, content }));
    },

    /**
     * The newest `limit` messages in chronological order, so a long conversation opens at its
     * end, plus the first user message as a preview (Luxx's `first_message`).
     */
    async recentMessages(userId: string, conversationId: string, limit: number) {
      const conversation = await get(userId, conversationId);
      const total = await messages.count(userId, conversationId);
      const [recent, firstUserMessage] = await Promise.all([
        messages.listForConversation(userId, conversationId, { limit, offset: Math.max(0, total - limit) }),
        messages.findFirstWithRole(userId, conversationId, 'user'),
      ]);
      return { conversation, messages: recent, firstUserMessage: firstUserMessage ?? null };
    },

    /**
     * LLMChat's history paging: page 1 is the newest `limit` messages, page 2 the ones before
     * them, and so on; each page reads oldest first. `beforeId` is a cursor compared by id, so
     * it keeps working after the message it names is deleted.
     */
    async historyPage(userId: string, conversationId: string, page: { page: number; limit: number; beforeId?: string }) {
      const conversation = await get(userId, conversationId);
      const total = await messages.count(userId, conversationId, { beforeId: page.beforeId });
      const end = total - (page.page - 1) * page.limit;
      const start = Math.max(0, end - page.limit);
      const items =
        end <= 0
          ? []
          : await messages.listForConversation(userId, conversationId, { limit: end - start, offset: start, beforeId: page.beforeId });
      return { conversation, messages: items, total };
    },

    async deleteMessage(userId: string, messageId: string): Promise<void> {
      if (!(await messages.delete(userId, messageId))) throw notFound('message');
    },

    /**
     * LLMChat's save: `messages` is the whole transcript. When what is stored begins it, only the
     * rest is appended (ids and metadata of stored messages survive); otherwise the stored
     * messages are replaced. Either way in one transaction, with the conversation row locked.
     */
    async saveTranscript(userId: string, save: TranscriptSave): Promise<{ conversation: Conversation; messageCount: number }> {
      checkClientId(save.id);
      return transaction(async (repositories) => {
        const at = now();
        await repositories.conversations.findOrCreate(userId, {
          id: save.id,
          title: save.title ?? defaultConversationTitle,
          agentId: save.agentId ?? null,
          now: at,
        });
        const fields: ConversationFields = {};
        if (save.title !== undefined) fields.title = save.title;
        if (save.agentId !== undefined) fields.agentId = save.agentId;
        // The update also takes the row lock that serialises concurrent saves of this conversation.
        await repositories.conversations.update(userId, save.id, fields, at);

        const storedCount = await repositories.messages.count(userId, save.id);
        const stored =
          storedCount === 0 || storedCount > save.messages.length
            ? []
            : await repositories.messages.listForConversation(userId, save.id, { limit: storedCount });
        const keep = storedCount === stored.length && isPrefixOf(stored, save.messages) ? stored.length : 0;
        if (keep === 0 && storedCount > 0) await repositories.messages.deleteForConversation(userId, save.id);
        await repositories.messages.createMany(
          userId,
          save.id,
          save.messages.slice(keep).map((entry) => ({ ...entry, id: newId(), now: at })),
        );
        const conversation = (await repositories.conversations.findForUser(userId, save.id))!;
        return { conversation, messageCount: conversation.messageCount };
      });
    },
  };
}

export type ConversationService = ReturnType<typeof createConversationService>;
