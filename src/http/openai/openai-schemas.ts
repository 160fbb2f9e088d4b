import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() }).loose();
const imagePart = z
  .object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1), detail: z.string().optional() }).loose() })
  .loose();
const userContent = z.union([z.string(), z.array(z.union([textPart, imagePart]))]);
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z
  .object({
    id: z.string().min(1),
    type: z.literal('function').default('function'),
    function: z.object({ name: z.string().min(1), arguments: z.string().default('') }).loose(),
  })
  .loose();

export const openAiMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: textContent, name: z.string().optional() }).loose(),
  z.object({ role: z.literal('developer'), content: textContent, name: z.string().optional() }).loose(),
  z.object({ role: z.literal('user'), content: userContent, name: z.string().optional() }).loose(),
  z
    .object({
      role: z.literal('assistant'),
      content: textContent.nullish(),
      reasoning_content: z.string().nullish(),
      tool_calls: z.array(toolCall).nullish(),
      name: z.string().optional(),
    })
    .loose(),
  z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) }).loose(),
]);
export type OpenAiMessage = z.infer<typeof openAiMessageSchema>;

const functionTool = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, _ or -'),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullish(),
      })
      .loose(),
  })
  .loose();

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }).loose(),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z
      .object({ name: z.string(), description: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() })
      .loose(),
  }),
]);

/** OpenAI's chat completion request; fields we do not use are accepted and ignored. */
export const chatCompletionBodySchema = z
  .object({
    model: z.string().trim().min(1, 'model is required: a model id, or provider/model'),
    messages: z.array(openAiMessageSchema).min(1, 'messages must hold at least one message'),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).loose().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    seed: z.number().int().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    n: z.number().int().nullish(),
    tools: z.array(functionTool).max(128).nullish(),
    tool_choice: toolChoice.nullish(),
    response_format: responseFormat.nullish(),
    reasoning_effort: z.string().nullish(),
    user: z.string().nullish(),
    session_id: z.string().nullish(),
  })
  .loose();
export type ChatCompletionBody = z.infer<typeof chatCompletionBodySchema>;

export const sessionQuerySchema = z.object({ session_id: z.string().optional() }).loose();

const usageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
  prompt_tokens_details: z.object({ cached_tokens: z.number() }),
  completion_tokens_details: z.object({ reasoning_tokens: z.number() }),
});

export const chatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number(),
      message: z.object({
        role: z.literal('assistant'),
        content: z.string().nullable(),
        reasoning_content: z.string().optional(),
        tool_calls: z
          .array(z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) }))
          .optional(),
        refusal: z.null(),
      }),
      logprobs: z.null(),
      finish_reason: z.string(),
    }),
  ),
  usage: usageSchema,
  session_id: z.string().optional(),
  system_fingerprint: z.null(),
});

export const modelListSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() })),
});

export const chunkStreamSchema = z
  .string()
  .describe('text/event-stream of `data: {chat.completion.chunk}` lines, ending with `data: [DONE]`.');
