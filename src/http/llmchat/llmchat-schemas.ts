import { z } from 'zod';
import { envelopeSchema } from '../envelope.ts';

/**
 * LLMChat's agent chat body. Unknown fields are accepted (its web app also sends `chatId`,
 * `detail`, `responseChatItemId`, `attachments`), so a newer client is not refused.
 */
export const agentChatBodySchema = z
  .object({
    agentId: z.string().trim().min(1).max(128),
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(100_000) }))
      .min(1, 'send at least one message')
      .max(1000),
    stream: z.boolean().default(false),
    sessionId: z.string().trim().min(1).max(128).optional(),
    config: z
      .object({
        temperature: z.number().min(0).max(2).optional(),
        maxTokens: z.number().int().min(1).max(1_000_000).optional(),
      })
      .optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export type AgentChatBody = z.infer<typeof agentChatBodySchema>;

export const agentChatReplySchema = envelopeSchema(
  z.object({
    id: z.string(),
    sessionId: z.string(),
    message: z.object({ role: z.literal('assistant'), content: z.string() }),
    usage: z.object({ promptTokens: z.number().int(), completionTokens: z.number().int(), totalTokens: z.number().int() }),
    createdAt: z.string(),
  }),
);

export const turnParamsSchema = z.object({ messageId: z.string().min(1).max(128) });

export const resumeHeadersSchema = z.object({ 'last-event-id': z.string().max(20).optional() }).loose();

export const eventStreamSchema = z.string().describe('text/event-stream: start, chunk, status, end, error');
