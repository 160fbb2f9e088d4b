import { z } from 'zod';
import type { Conversation } from '../../storage/repositories/conversations-repository.ts';
import type { Message } from '../../storage/repositories/messages-repository.ts';

/** StellarByte's bare session: no envelope, exactly these fields. */
export const sessionViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  is_active: z.boolean(),
});

export function sessionView(conversation: Conversation): z.infer<typeof sessionViewSchema> {
  return {
    id: conversation.id,
    title: conversation.title,
    created_at: conversation.createdAt,
    updated_at: conversation.updatedAt,
    is_active: conversation.isActive,
  };
}

const role = z.enum(['system', 'user', 'assistant', 'tool']);
const metadataInfo = z.record(z.string(), z.unknown());

export const sessionMessageViewSchema = z.object({
  id: z.string(),
  session_id: z.string(),
  role,
  content: z.string(),
  created_at: z.string(),
  tokens: z.number().int(),
  metadata_info: metadataInfo,
});

export function sessionMessageView(message: Message): z.infer<typeof sessionMessageViewSchema> {
  return {
    id: message.id,
    session_id: message.conversationId,
    role: message.role,
    content: message.content,
    created_at: message.createdAt,
    tokens: message.tokenCount,
    metadata_info: message.metadata,
  };
}

export const historyEntrySchema = z.object({ role, content: z.string() });

// StellarByte's title is optional in practice (its clients often send `{}`); null means the default.
export const createSessionBodySchema = z.object({ title: z.string().trim().max(500).nullish() }).nullish();

export const updateSessionBodySchema = z.object({
  title: z.string().trim().min(1).max(500).optional(),
  is_active: z.boolean().optional(),
});

export const sessionParamsSchema = z.object({ id: z.string().min(1).max(256) });

const skip = z.coerce.number().int().min(0).max(1_000_000_000).default(0);
const limit = z.coerce.number().int().min(1).max(1000).default(100);

/** FastAPI-style query booleans: true/false, 1/0, yes/no, on/off. */
export const sessionListQuerySchema = z.object({
  skip,
  limit,
  active_only: z.stringbool().default(true).describe('true or false (also 1/0, yes/no, on/off); default true'),
});

export const sessionMessagesQuerySchema = z.object({ skip, limit });

export const createSessionMessageBodySchema = z.object({
  role,
  content: z.string().max(1_000_000),
  tokens: z.number().int().min(0).max(100_000_000).nullish(),
  metadata_info: metadataInfo.nullish(),
});

export const deletedSessionSchema = z.object({ message: z.string() });
