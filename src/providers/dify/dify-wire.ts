import { z } from 'zod';

/**
 * Dify's chat-messages API (`POST /v1/chat-messages`), as its documentation describes it: the
 * request body, the blocking answer, and the streamed events this adapter reads. Other events
 * (workflow and node progress, files, TTS) are accepted and ignored.
 */
export interface DifyChatRequest {
  inputs: Record<string, unknown>;
  query: string;
  response_mode: 'streaming' | 'blocking';
  /** Empty starts a new Dify conversation; Dify answers with its id. */
  conversation_id: string;
  user: string;
  files?: unknown[];
}

const difyUsageSchema = z
  .object({
    prompt_tokens: z.number().optional(),
    completion_tokens: z.number().optional(),
    total_tokens: z.number().optional(),
  })
  .loose();

export type DifyUsage = z.infer<typeof difyUsageSchema>;

const metadataSchema = z.object({ usage: difyUsageSchema.optional() }).loose().optional();

export const difyBlockingAnswerSchema = z
  .object({
    message_id: z.string().optional(),
    conversation_id: z.string().optional(),
    answer: z.string().default(''),
    metadata: metadataSchema,
  })
  .loose();

/**
 * One streamed event. Dify adds event types over time, so this is one loose shape read by `event`
 * (message, agent_message, agent_thought, message_end, message_replace, error, ping, and workflow
 * or file events that this adapter ignores) rather than a closed union that a new type would break.
 */
export const difyStreamEventSchema = z
  .object({
    event: z.string(),
    conversation_id: z.string().nullish(),
    message_id: z.string().nullish(),
    answer: z.string().nullish(),
    id: z.string().nullish(),
    thought: z.string().nullish(),
    tool: z.string().nullish(),
    tool_input: z.string().nullish(),
    observation: z.string().nullish(),
    metadata: metadataSchema,
    status: z.number().nullish(),
    code: z.string().nullish(),
    message: z.string().nullish(),
  })
  .loose();

export type DifyStreamEvent = z.infer<typeof difyStreamEventSchema>;

export const difyErrorSchema = z.object({ code: z.string().nullish(), message: z.string().nullish(), status: z.number().nullish() }).loose();

export const difyErrorMessage = (error: z.infer<typeof difyErrorSchema>): string =>
  `${error.code ? `${error.code}: ` : ''}${error.message ?? 'unknown error'}`;
