import { classifyUpstreamError } from '../chat/upstream-errors.ts';
import { AppError, notFound, validationError } from '../errors/app-error.ts';
import type { ModelRequest, ModelResolver } from '../providers/resolved-model.ts';
import { subtreeIds } from '../storage/repositories/message-tree.ts';
import type { Message } from '../storage/repositories/messages-repository.ts';
import type { AppModelRepositories, AppModelTransaction } from './app-model-repositories.ts';

/** A translation as stored in the message's `metadata.translation`. */
export interface MessageTranslation {
  content: string;
  to: string;
  from: string | null;
  providerId: string;
  model: string;
  createdAt: string;
}

export type MessageSelection =
  | { ids: string[]; includeDescendants?: boolean }
  | { conversationId: string; fromId: string; toId: string; includeDescendants?: boolean };

/** How long a translation may take before the upstream call is abandoned. */
const translationTimeoutMs = 120_000;

export interface MessageOperationsOptions {
  repositories: AppModelRepositories;
  transaction: AppModelTransaction;
  models: ModelResolver;
  clock: () => Date;
}

/** LobeChat's message router: change content and metadata, delete one or many, translate. */
export function createMessageOperationsService(options: MessageOperationsOptions) {
  const { repositories, transaction, models, clock } = options;
  const now = () => clock().toISOString();

  async function message(userId: string, id: string): Promise<Message> {
    const found = await repositories.messages.findForUser(userId, id);
    if (!found) throw notFound('message');
    return found;
  }

  async function update(userId: string, id: string, fields: { content?: string; metadata?: Record<string, unknown> }): Promise<Message> {
    const found = await message(userId, id);
    // Metadata is merged key by key (LobeChat's updateMetadata); a key set to null is removed.
    const metadata =
      fields.metadata === undefined
        ? undefined
        : Object.fromEntries(Object.entries({ ...found.metadata, ...fields.metadata }).filter(([, value]) => value !== null));
    if (!(await repositories.messageEdits.update(userId, id, { content: fields.content, metadata }, now()))) {
      throw new AppError('CONFLICT', 'this answer is still being generated; stop it or wait for it to end, then change it');
    }
    return message(userId, id);
  }

  return {
    update,

    /**
     * Deletes the selected messages of one conversation, in one transaction. A range is the
     * active branch's messages from `fromId` to `toId`, both included. Children of a deleted
     * message move up to its nearest surviving ancestor, unless `includeDescendants` deletes
     * whole branches below the selected messages.
     */
    async delete(userId: string, selection: MessageSelection): Promise<{ deleted: number; conversationId: string }> {
      return transaction(async (scoped) => {
        let conversationId: string;
        let ids: Set<string>;
        if ('ids' in selection) {
          const found = await scoped.messages.findManyForUser(userId, selection.ids);
          if (found.length !== new Set(selection.ids).size) throw notFound('message');
          const conversations = new Set(found.map((item) => item.conversationId));
          if (conversations.size !== 1) throw validationError('ids must all belong to one conversation');
          conversationId = found[0]!.conversationId;
          ids = new Set(selection.ids);
        } else {
          conversationId = selection.conversationId;
          if (!(await scoped.conversations.findForUser(userId, conversationId))) throw notFound('conversation');
          const path = await scoped.tree.activePathIds(userId, conversationId);
          const from = path.indexOf(selection.fromId);
          const to = path.indexOf(selection.toId);
          if (from < 0 || to < 0) throw validationError('from_id and to_id must both be messages on the active branch');
          ids = new Set(path.slice(Math.min(from, to), Math.max(from, to) + 1));
        }
        if (selection.includeDescendants) {
          const { nodes } = await scoped.tree.load(userId, conversationId);
          for (const id of [...ids]) for (const below of subtreeIds(nodes, id)) ids.add(below);
        }
        const deleted = await scoped.tree.deleteAndReattach(userId, conversationId, ids);
        await scoped.conversations.touch(userId, conversationId, now());
        return { deleted, conversationId };
      });
    },

    /** Translates the message with the chosen (or default) model and stores the result on it. */
    async translate(userId: string, id: string, request: ModelRequest & { to: string; from?: string | null }): Promise<MessageTranslation> {
      const found = await message(userId, id);
      if (found.content.trim() === '') throw validationError('this message has no text to translate');
      const resolved = await models.resolve(userId, { providerId: request.providerId, model: request.model });
      const source = request.from ? ` from ${request.from}` : '';
      let text: string;
      try {
        const result = await resolved.model.doGenerate({
          prompt: [
            { role: 'system', content: `Translate the user's message${source} into ${request.to}. Reply with the translation only, keeping formatting such as Markdown and code unchanged.` },
            { role: 'user', content: [{ type: 'text', text: found.content }] },
          ],
          abortSignal: AbortSignal.timeout(translationTimeoutMs),
        });
        text = result.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('').trim();
      } catch (error) {
        const failure = classifyUpstreamError(error, resolved.provider.name, resolved.redactSecrets);
        throw new AppError(failure.code, failure.message, { cause: error });
      }
      if (text === '') throw new AppError('PROVIDER_ERROR', `${resolved.provider.name} answered the translation with no text`);
      const translation: MessageTranslation = {
        content: text, to: request.to, from: request.from ?? null, providerId: resolved.provider.id, model: resolved.modelId, createdAt: now(),
      };
      await update(userId, id, { metadata: { translation } });
      return translation;
    },
  };
}

export type MessageOperationsService = ReturnType<typeof createMessageOperationsService>;
