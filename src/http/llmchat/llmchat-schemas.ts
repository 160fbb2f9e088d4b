import { z } from 'zod';
import { envelopeSchema } from '../envelope.ts';

const clientId = z.string().trim().min(1).max(128);

/** An attachment as LLMChat's web app sends it: `{id}`, or the whole answer of its upload. */
export const attachmentRefSchema = z
  .object({
    id: z.string().trim().min(1).max(128),
    url: z.string().max(2000).optional(),
    name: z.string().max(500).optional(),
    mimeType: z.string().max(200).optional(),
    size: z.number().nonnegative().optional(),
  })
  .loose();

const attachmentsSchema = z.array(attachmentRefSchema).max(20, 'attach at most 20 files to one message');

const samplingSchema = {
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
};

/**
 * LLMChat's agent chat body. Its web app sends only the newest message with a `chatId` of its own
 * making; `detail`, `responseChatItemId`, `variables`, `attachments` (also inside the message's
 * `metadata`) and top-level `temperature`/`maxTokens` come with it. Unknown fields are accepted
 * (`voiceNote`), so a newer client is not refused.
 */
export const agentChatBodySchema = z
  .object({
    agentId: z.string().trim().min(1).max(128),
    messages: z
      .array(
        z.object({
          role: z.enum(['system', 'user', 'assistant']),
          content: z.string().max(100_000),
          metadata: z.object({ attachments: attachmentsSchema.optional() }).loose().optional(),
        }),
      )
      .min(1, 'send at least one message')
      .max(1000),
    stream: z.boolean().default(false),
    /** The chat: one of the caller's conversation ids, or a client-made id (created on first use). */
    chatId: clientId.optional(),
    /** LLMChat's documented name for `chatId`. */
    sessionId: clientId.optional(),
    config: z.object(samplingSchema).optional(),
    ...samplingSchema,
    variables: z.record(z.string(), z.unknown()).optional(),
    /** FastGPT's flag for its detailed events; accepted, the frames are the same either way. */
    detail: z.boolean().optional(),
    /** The client's id for the answer; kept on it, and accepted as `dataId` by retry and feedback. */
    responseChatItemId: clientId.optional(),
    attachments: attachmentsSchema.optional(),
  })
  .loose();

export type AgentChatBody = z.infer<typeof agentChatBodySchema>;

const usageSchema = z.object({
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

/** The seed's reply (`id, sessionId, message, usage, createdAt`) plus the OpenAI-style `choices` the web app reads. */
export const agentChatReplySchema = envelopeSchema(
  z.object({
    id: z.string(),
    sessionId: z.string(),
    chatId: z.string(),
    conversationId: z.string(),
    message: z.object({ role: z.literal('assistant'), content: z.string() }),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ id: z.string(), role: z.literal('assistant'), content: z.string() }),
        finish_reason: z.string(),
      }),
    ),
    usage: usageSchema,
    createdAt: z.string(),
  }),
);

export const turnParamsSchema = z.object({ messageId: z.string().min(1).max(128) });

export const resumeHeadersSchema = z.object({ 'last-event-id': z.string().max(20).optional() }).loose();

export const eventStreamSchema = z.string().describe('text/event-stream: chatId, start, chunk, status, end, error');

export const chatParamsSchema = z.object({ chatId: clientId });

const booleanQuery = z.enum(['true', 'false']).optional();

export const initQuerySchema = z.object({ appId: clientId, chatId: clientId.optional(), stream: booleanQuery });

export const initReplySchema = envelopeSchema(
  z.object({
    chatId: z.string(),
    appId: z.string(),
    title: z.string(),
    app: z.object({
      name: z.string(),
      avatar: z.string().nullable(),
      intro: z.string(),
      chatModels: z.array(z.string()),
      chatConfig: z.object({ welcomeText: z.string(), variables: z.array(z.unknown()) }),
    }),
  }),
);

export const agentQuerySchema = z.object({ agentId: clientId.optional(), appId: clientId.optional() });

export const listQuerySchema = agentQuerySchema.extend({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(200),
});

export const historyListSchema = envelopeSchema(
  z.array(
    z.object({
      chatId: z.string(),
      appId: z.string().nullable(),
      conversationId: z.string(),
      title: z.string(),
      messageCount: z.number().int(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
);

export const historyDetailSchema = envelopeSchema(
  z.object({
    chatId: z.string(),
    appId: z.string().nullable(),
    conversationId: z.string(),
    title: z.string(),
    messages: z.array(
      z.object({
        id: z.string(),
        dataId: z.string(),
        role: z.enum(['user', 'assistant', 'system']),
        content: z.string(),
        feedback: z.enum(['good', 'bad']).nullable(),
        status: z.string(),
        createdAt: z.string(),
      }),
    ),
    metadata: z.object({ createdAt: z.string(), updatedAt: z.string() }),
  }),
);

export const deleteReplySchema = envelopeSchema(z.object({ chatId: z.string(), deleted: z.boolean() }));

export const clearReplySchema = envelopeSchema(z.object({ agentId: z.string(), deleted: z.number().int() }));

export const retryBodySchema = z
  .object({
    agentId: clientId.optional(),
    dataId: clientId,
    stream: z.boolean().default(false),
    detail: z.boolean().optional(),
  })
  .loose();

/** FastGPT's feedback fields: a non-empty value sets it; sending neither clears the feedback. */
const feedbackFlag = z.union([z.string().max(1000), z.boolean(), z.null()]).optional();

export const feedbackBodySchema = z
  .object({
    agentId: clientId.optional(),
    chatId: clientId.optional(),
    dataId: clientId.optional(),
    messageId: clientId.optional(),
    userGoodFeedback: feedbackFlag,
    userBadFeedback: feedbackFlag,
  })
  .loose()
  .refine((body) => body.dataId !== undefined || body.messageId !== undefined, { message: 'send dataId (or messageId): the answer to rate', path: ['dataId'] });

export const feedbackReplySchema = envelopeSchema(
  z.object({ chatId: z.string(), dataId: z.string(), messageId: z.string(), feedback: z.enum(['good', 'bad']).nullable() }),
);
