import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { TurnCaller } from '../../app-model/message-tree-service.ts';
import type { Message } from '../../storage/repositories/messages-repository.ts';
import { principalOf } from '../auth-hook.ts';
import { messageView, messageViewSchema } from '../messages/message-view.ts';

/** Luxx's message view plus the stored metadata (where translations live). */
export const treeMessageViewSchema = messageViewSchema.extend({ metadata: z.record(z.string(), z.unknown()) });

export const treeMessageView = (message: Message): z.infer<typeof treeMessageViewSchema> => ({ ...messageView(message), metadata: message.metadata });

export const id = z.string().min(1).max(128);
export const idParamsSchema = z.object({ id });

export const turnOptionsSchema = z.object({
  provider_id: z.union([z.string().min(1).max(128), z.number().int()]).transform(String).optional(),
  model: z.string().min(1).max(200).optional(),
  thinking_enabled: z.boolean().optional(),
  enabled_tools: z.array(z.string().min(1).max(200)).max(100).optional(),
  /** false: answer at once with the turn's ids and follow it at GET /api/messages/{turn_id}/stream. */
  wait: z.boolean().default(true),
});

export const editBodySchema = turnOptionsSchema.extend({ content: z.string().min(1, 'content must not be empty').max(1_000_000) });
export const regenerateBodySchema = turnOptionsSchema.optional();

export const startedTurnSchema = z.object({
  turn_id: z.string(),
  conversation_id: z.string(),
  user_message: treeMessageViewSchema,
  /** The answer when waited for; otherwise its first, generating state. */
  assistant_message: treeMessageViewSchema,
});

export function turnCallerOf(request: FastifyRequest, options: z.infer<typeof turnOptionsSchema> | undefined): TurnCaller {
  const principal = principalOf(request);
  return {
    userId: principal.user.id,
    apiKeyId: principal.apiKeyId ?? null,
    permissionLevel: principal.permissionLevel,
    surface: 'lobechat',
    providerId: options?.provider_id,
    model: options?.model,
    thinkingEnabled: options?.thinking_enabled,
    enabledTools: options?.enabled_tools,
  };
}

export const updateMessageBodySchema = z
  .object({
    content: z.string().max(1_000_000).optional(),
    /** Merged into the stored metadata; a key set to null is removed. */
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((body) => body.content !== undefined || body.metadata !== undefined, 'give content or metadata');

export const deleteMessagesBodySchema = z.union([
  z.object({ ids: z.array(id).min(1).max(5000), include_descendants: z.boolean().default(false) }),
  z.object({ conversation_id: id, from_id: id, to_id: id, include_descendants: z.boolean().default(false) }),
]);

export const translateBodySchema = z.object({
  /** The language to translate into, e.g. "English" or "zh-CN". */
  target_language: z.string().trim().min(1).max(50),
  source_language: z.string().trim().min(1).max(50).optional(),
  provider_id: z.union([z.string().min(1).max(128), z.number().int()]).transform(String).optional(),
  model: z.string().min(1).max(200).optional(),
});

export const translationSchema = z.object({
  content: z.string(),
  to: z.string(),
  from: z.string().nullable(),
  provider_id: z.string(),
  model: z.string(),
  created_at: z.string(),
});
