import { notFound, validationError } from '../errors/app-error.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { ThreadsTable } from '../storage/schema.ts';
import type { Thread } from '../storage/repositories/threads-repository.ts';
import type { AppModelRepositories, AppModelTransaction } from './app-model-repositories.ts';
import { copyMessages, createConversationLike } from './conversation-copies.ts';

export interface NewThread {
  sourceConversationId: string;
  sourceMessageId: string;
  /** 'continuation' starts with the source message and all its ancestors; 'standalone' with the source message only. */
  type: ThreadsTable['type'];
  title?: string;
  parentThreadId?: string | null;
}

export interface ThreadServiceOptions {
  repositories: AppModelRepositories;
  transaction: AppModelTransaction;
  newId: IdGenerator;
  clock: () => Date;
}

const titleFrom = (content: string) => {
  const line = content.replace(/\s+/g, ' ').trim();
  return line.length > 50 ? `${line.slice(0, 50)}…` : line || 'Thread';
};

/**
 * LobeChat's thread router. A thread is a conversation of its own (chat in it with any send
 * route), whose history starts with copies of the source message's branch; the thread row
 * records where it came from.
 */
export function createThreadService(options: ThreadServiceOptions) {
  const { repositories, transaction, newId, clock } = options;
  const now = () => clock().toISOString();

  async function get(userId: string, id: string): Promise<Thread> {
    const thread = await repositories.threads.findForUser(userId, id);
    if (!thread) throw notFound('thread');
    return thread;
  }

  return {
    get,

    async create(userId: string, input: NewThread): Promise<Thread> {
      const id = await transaction(async (scoped) => {
        const source = await scoped.conversations.findForUser(userId, input.sourceConversationId);
        if (!source) throw notFound('conversation');
        const message = await scoped.messages.findForUser(userId, input.sourceMessageId);
        if (!message || message.conversationId !== source.id) throw notFound('source message');
        if (input.parentThreadId != null && !(await scoped.threads.findForUser(userId, input.parentThreadId))) {
          throw notFound('parent thread');
        }
        const at = now();
        const thread = await createConversationLike(scoped, userId, source, { id: newId(), title: input.title ?? titleFrom(message.content), now: at });
        const copied = input.type === 'continuation' ? await scoped.messages.listPathTo(userId, source.id, message.id) : [message];
        await copyMessages(scoped, userId, thread.id, copied, newId, at);
        await scoped.threads.insert({
          id: thread.id, userId, sourceConversationId: source.id, sourceMessageId: message.id,
          parentThreadId: input.parentThreadId ?? null, type: input.type, status: 'active', createdAt: at, updatedAt: at,
        });
        return thread.id;
      });
      return get(userId, id);
    },

    /** Threads branched from one of the caller's conversations, newest first. */
    async list(userId: string, conversationId: string): Promise<Thread[]> {
      if (!(await repositories.conversations.findForUser(userId, conversationId))) throw notFound('conversation');
      return repositories.threads.listForConversation(userId, conversationId);
    },

    async update(userId: string, id: string, fields: { title?: string; status?: ThreadsTable['status'] }): Promise<Thread> {
      if (fields.title !== undefined && fields.title.trim() === '') throw validationError('title must not be empty');
      await transaction(async (scoped) => {
        const at = now();
        if (!(await scoped.threads.update(userId, id, { status: fields.status }, at))) throw notFound('thread');
        if (fields.title !== undefined) await scoped.conversations.update(userId, id, { title: fields.title }, at);
      });
      return get(userId, id);
    },

    /** Deletes the thread's conversation and its messages; the source conversation is untouched. */
    async delete(userId: string, id: string): Promise<void> {
      await get(userId, id);
      await repositories.conversations.delete(userId, id);
    },
  };
}

export type ThreadService = ReturnType<typeof createThreadService>;
