import type { IdGenerator } from '../storage/ids.ts';
import type { Conversation } from '../storage/repositories/conversations-repository.ts';
import { activeLeaf } from '../storage/repositories/message-tree.ts';
import type { Message, NewMessage } from '../storage/repositories/messages-repository.ts';
import { notFound } from '../errors/app-error.ts';
import type { AppModelRepositories } from './app-model-repositories.ts';

/** A stored message as a new one: same content, new id; an answer cut short by the copy is not left `generating`. */
function copyOf(message: Message, id: string, parentId: string | null, now: string): NewMessage {
  return {
    id, parentId, now,
    role: message.role, content: message.content, steps: message.steps, attachments: message.attachments,
    tokenCount: message.tokenCount, usage: message.usage, model: message.model,
    status: message.status === 'generating' ? 'incomplete' : message.status,
    metadata: { ...message.metadata, copiedFrom: message.id },
  };
}

/** A new conversation with the source's settings (not its messages). */
export async function createConversationLike(
  repositories: AppModelRepositories, userId: string, source: Conversation, fields: { id: string; title: string; now: string },
): Promise<Conversation> {
  return repositories.conversations.create(userId, {
    ...fields,
    projectId: source.projectId, agentId: source.agentId, model: source.model, providerId: source.providerId,
    systemPrompt: source.systemPrompt, temperature: source.temperature, maxTokens: source.maxTokens,
    thinkingEnabled: source.thinkingEnabled, metadata: source.metadata,
  });
}

/**
 * Copies messages into another conversation with new ids, keeping their tree: a parent outside
 * the copied set makes its child a root. Ids are made in the source's id order, so the copy's
 * time order (and every "newest" rule of the tree) is the source's.
 */
export async function copyMessages(
  repositories: AppModelRepositories, userId: string, targetId: string, messages: Message[], newId: IdGenerator, now: string,
): Promise<Map<string, string>> {
  const ordered = [...messages].sort((left, right) => (left.id < right.id ? -1 : 1));
  const ids = new Map(ordered.map((message) => [message.id, newId()]));
  await repositories.messages.createMany(
    userId,
    targetId,
    ordered.map((message) => copyOf(message, ids.get(message.id)!, (message.parentId && ids.get(message.parentId)) || null, now)),
  );
  return ids;
}

/**
 * Clones a conversation with its whole message tree (every branch, not only the active one),
 * and selects the same branch in the copy. Run inside a transaction.
 */
export async function cloneConversation(
  repositories: AppModelRepositories, userId: string, conversationId: string, options: { title?: string; newId: IdGenerator; now: string },
): Promise<Conversation> {
  const source = await repositories.conversations.findForUser(userId, conversationId);
  if (!source) throw notFound('conversation');
  const clone = await createConversationLike(repositories, userId, source, {
    id: options.newId(), title: options.title ?? `${source.title} (copy)`, now: options.now,
  });
  const messages = await repositories.messages.listForConversation(userId, source.id, { branch: 'all' });
  const ids = await copyMessages(repositories, userId, clone.id, messages, options.newId, options.now);
  const leaf = activeLeaf(await repositories.tree.load(userId, source.id));
  await repositories.tree.select(userId, clone.id, leaf === undefined ? null : ids.get(leaf)!);
  return (await repositories.conversations.findForUser(userId, clone.id))!;
}
