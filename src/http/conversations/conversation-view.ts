import { z } from 'zod';
import type { Conversation } from '../../storage/repositories/conversations-repository.ts';

/** A conversation as Luxx clients read it (snake_case), with a message count for list views. */
export const conversationViewSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  project_id: z.string().nullable(),
  provider_id: z.string().nullable(),
  title: z.string(),
  model: z.string().nullable(),
  system_prompt: z.string().nullable(),
  temperature: z.number().nullable(),
  max_tokens: z.number().int().nullable(),
  thinking_enabled: z.boolean(),
  is_active: z.boolean(),
  message_count: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});

export type ConversationView = z.infer<typeof conversationViewSchema>;

export function conversationView(conversation: Conversation): ConversationView {
  return {
    id: conversation.id,
    user_id: conversation.userId,
    project_id: conversation.projectId,
    provider_id: conversation.providerId,
    title: conversation.title,
    model: conversation.model,
    system_prompt: conversation.systemPrompt,
    temperature: conversation.temperature,
    max_tokens: conversation.maxTokens,
    thinking_enabled: conversation.thinkingEnabled,
    is_active: conversation.isActive,
    message_count: conversation.messageCount,
    created_at: conversation.createdAt,
    updated_at: conversation.updatedAt,
  };
}
