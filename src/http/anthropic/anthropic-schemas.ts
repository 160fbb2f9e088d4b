import { z } from 'zod';

const textBlock = z.object({ type: z.literal('text'), text: z.string() }).loose();
const imageBlock = z
  .object({
    type: z.literal('image'),
    source: z.discriminatedUnion('type', [
      z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }).loose(),
      z.object({ type: z.literal('url'), url: z.string() }).loose(),
    ]),
  })
  .loose();
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.unknown() }).loose();
const toolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(z.union([textBlock, imageBlock]))]).optional(),
    is_error: z.boolean().optional(),
  })
  .loose();
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() }).loose();
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() }).loose();

export const anthropicBlockSchema = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock]);
export type AnthropicBlock = z.infer<typeof anthropicBlockSchema>;

export const anthropicMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(anthropicBlockSchema)]),
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

/** Anthropic's Messages request; fields we do not use are accepted and ignored. */
export const messagesBodySchema = z
  .object({
    model: z.string().trim().min(1, 'model is required: a model id, or provider/model'),
    max_tokens: z.number().int().positive('max_tokens must be a positive integer'),
    messages: z.array(anthropicMessageSchema).min(1, 'messages must hold at least one message'),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().positive().optional(),
    stop_sequences: z.array(z.string()).optional(),
    tools: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, _ or -'),
            description: z.string().optional(),
            input_schema: z.record(z.string(), z.unknown()),
          })
          .loose(),
      )
      .optional(),
    tool_choice: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('auto') }).loose(),
        z.object({ type: z.literal('any') }).loose(),
        z.object({ type: z.literal('none') }).loose(),
        z.object({ type: z.literal('tool'), name: z.string().min(1) }).loose(),
      ])
      .optional(),
    thinking: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().positive().optional() }).loose(),
        z.object({ type: z.literal('disabled') }).loose(),
      ])
      .optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type MessagesBody = z.infer<typeof messagesBodySchema>;

export const anthropicResponseSchema = z.object({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(
    z.union([
      z.object({ type: z.literal('text'), text: z.string() }),
      z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }),
      z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }),
    ]),
  ),
  stop_reason: z.string(),
  stop_sequence: z.null(),
  usage: z.object({
    input_tokens: z.number(),
    output_tokens: z.number(),
    cache_read_input_tokens: z.number(),
    cache_creation_input_tokens: z.number(),
  }),
});

export const anthropicStreamSchema = z
  .string()
  .describe('text/event-stream: message_start, content_block_start/delta/stop, message_delta, message_stop (or error).');
