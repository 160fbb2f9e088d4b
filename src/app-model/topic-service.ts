import { notFound, validationError } from '../errors/app-error.ts';
import type { IdGenerator } from '../storage/ids.ts';
import type { Conversation } from '../storage/repositories/conversations-repository.ts';
import type { Topic, TopicListOptions } from '../storage/repositories/topics-repository.ts';
import type { AppModelRepositories, AppModelTransaction } from './app-model-repositories.ts';
import { cloneConversation } from './conversation-copies.ts';

export interface TopicServiceOptions {
  repositories: AppModelRepositories;
  transaction: AppModelTransaction;
  newId: IdGenerator;
  clock: () => Date;
}

/** LobeChat's topic router: an agent's conversations, favourites, rename and clone. */
export function createTopicService(options: TopicServiceOptions) {
  const { repositories, transaction, newId, clock } = options;
  const now = () => clock().toISOString();

  async function get(userId: string, id: string): Promise<Topic> {
    const topic = await repositories.topics.find(userId, id);
    if (!topic) throw notFound('topic');
    return topic;
  }

  return {
    get,

    list(userId: string, listOptions: TopicListOptions): Promise<{ items: Topic[]; total: number }> {
      return repositories.topics.list(userId, listOptions);
    },

    /** Rename and/or (un)favourite. */
    async update(userId: string, id: string, fields: { title?: string; favorite?: boolean }): Promise<Topic> {
      if (fields.title !== undefined && fields.title.trim() === '') throw validationError('title must not be empty');
      if (!(await repositories.topics.update(userId, id, fields, now()))) throw notFound('topic');
      return get(userId, id);
    },

    /** A copy of the conversation with every message branch (see conversation-copies.ts). */
    async clone(userId: string, id: string, title?: string): Promise<Conversation> {
      return transaction((scoped) => cloneConversation(scoped, userId, id, { title, newId, now: now() }));
    },
  };
}

export type TopicService = ReturnType<typeof createTopicService>;
