import { z } from 'zod';
import { conversationIdPattern } from '../../conversations/conversation-service.ts';
import type { Message } from '../../storage/repositories/messages-repository.ts';
import { pageQuerySchema, paginatedSchema } from '../envelope.ts';

const role = z.enum(['system', 'user', 'assistant', 'tool']);

/** LLMChat's camelCase message. */
export const historyMessageSchema = z.object({
  id: z.string(),
  role,
  content: z.string(),
  createdAt: z.string(),
  status: z.enum(['generating', 'complete', 'cancelled', 'incomplete', 'failed']),
  tokenCount: z.number().int(),
});

export function historyMessageView(message: Message): z.infer<typeof historyMessageSchema> {
  return {
    id: message.id,
    role: message.role,
    content: message.content,
    createdAt: message.createdAt,
    status: message.status,
    tokenCount: message.tokenCount,
  };
}

export const chatSessionParamsSchema = z.object({ id: z.string().min(1).max(256) });

/** page 1 is the newest page; `before` is a message id, and only older messages count. */
export const historyQuerySchema = pageQuerySchema.extend({ before: z.string().min(1).max(256).optional() });

export const historyDataSchema = paginatedSchema(historyMessageSchema).extend({
  sessionId: z.string(),
  title: z.string(),
});

export const saveSessionBodySchema = z.object({
  sessionId: z
    .string()
    .regex(conversationIdPattern, 'must be 1-128 characters of letters, digits, _ . : and -'),
  // Empty means "no title given": an existing title is kept, a new session gets the default.
  title: z.string().trim().max(500).nullish(),
  agentId: z.string().trim().min(1).max(128).nullish(),
  /** The whole transcript, not just new messages. */
  messages: z.array(z.object({ role, content: z.string().max(1_000_000) })).max(5000),
});

export const saveSessionDataSchema = z.object({
  sessionId: z.string(),
  title: z.string(),
  messageCount: z.number().int(),
});
