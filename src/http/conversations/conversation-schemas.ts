import { z } from 'zod';
import type { ConversationFields } from '../../storage/repositories/conversations-repository.ts';
import { pageQuerySchema } from '../envelope.ts';

/** Luxx documents provider ids as integers; ours are strings, so both spellings are accepted. */
const providerId = z.union([z.string().trim().min(1).max(128), z.number().int().nonnegative()]).transform(String);

const settings = {
  project_id: z.string().trim().min(1).max(128).nullish(),
  model: z.string().trim().min(1).max(200).nullish(),
  provider_id: providerId.nullish(),
  system_prompt: z.string().max(100_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  max_tokens: z.number().int().min(1).max(10_000_000).nullish(),
  thinking_enabled: z.boolean().optional(),
};

/** Every field is optional, and a POST without a body makes an untitled conversation. */
export const createConversationBodySchema = z
  .object({
    ...settings,
    // An empty title means "no title yet", which gets the default rather than a 400.
    title: z.string().trim().max(500).optional(),
  })
  .nullish();

export const updateConversationBodySchema = z.object({
  ...settings,
  title: z.string().trim().min(1).max(500).optional(),
  is_active: z.boolean().optional(),
});

export const conversationParamsSchema = z.object({ id: z.string().min(1).max(256) });

export const conversationListQuerySchema = pageQuerySchema.extend({
  project_id: z.string().trim().min(1).max(128).optional(),
});

type SettingsBody = z.infer<typeof updateConversationBodySchema>;

/** Request fields to storage fields; `null` clears a setting, absence leaves it alone. */
export function conversationFieldsOf(body: SettingsBody): ConversationFields {
  return {
    projectId: body.project_id,
    model: body.model,
    providerId: body.provider_id,
    systemPrompt: body.system_prompt,
    temperature: body.temperature,
    maxTokens: body.max_tokens,
    thinkingEnabled: body.thinking_enabled,
    title: body.title,
    isActive: body.is_active,
  };
}
