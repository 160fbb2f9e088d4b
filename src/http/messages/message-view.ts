import { z } from 'zod';
import type { Message } from '../../storage/repositories/messages-repository.ts';

/** A message as Luxx clients read it; `text` repeats `content` and `process_steps` are the stored steps. */
export const messageViewSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  parent_id: z.string().nullable(),
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  text: z.string(),
  attachments: z.array(z.unknown()),
  process_steps: z.array(z.unknown()),
  token_count: z.number().int(),
  usage: z.record(z.string(), z.unknown()).nullable(),
  status: z.enum(['generating', 'complete', 'cancelled', 'incomplete', 'failed']),
  /** Why an answer failed or stopped early; null otherwise. */
  error: z.string().nullable(),
  model: z.string().nullable(),
  created_at: z.string(),
});

export type MessageView = z.infer<typeof messageViewSchema>;

export function messageView(message: Message): MessageView {
  return {
    id: message.id,
    conversation_id: message.conversationId,
    parent_id: message.parentId,
    role: message.role,
    content: message.content,
    text: message.content,
    attachments: message.attachments,
    process_steps: message.steps,
    token_count: message.tokenCount,
    usage: message.usage,
    status: message.status,
    error: message.error,
    model: message.model,
    created_at: message.createdAt,
  };
}
