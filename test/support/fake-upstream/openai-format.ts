import type { FakeContentPart, FakeFinishReason, FakeUsage } from './fake-reply.ts';
import { joinedArguments, nowInSeconds, serverSentEvent, type EncoderContext, type StreamEnding, type WireEncoder } from './wire-format.ts';

/** OpenAI chat completions (`POST /v1/chat/completions`), which OpenAI-compatible vendors and Ollama's /v1 share. */
export function createOpenAIEncoder(context: EncoderContext): WireEncoder {
  const id = `chatcmpl-fake-${context.sequence}`;
  const created = nowInSeconds();
  let isOpened = false;
  let toolCallCount = 0;

  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    serverSentEvent({ id, object: 'chat.completion.chunk', created, model: context.model, choices, ...extra });
  const deltaChunk = (delta: Record<string, unknown>) => chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]);
  // OpenAI opens every stream with an empty assistant delta; sent lazily so a stall at the start sends nothing.
  const opening = () => {
    if (isOpened) return '';
    isOpened = true;
    return deltaChunk({ role: 'assistant', content: '' });
  };

  return {
    streamPart(part) {
      if (part.type === 'text') return opening() + deltaChunk({ content: part.text });
      if (part.type === 'reasoning') return opening() + deltaChunk({ reasoning_content: part.text });
      const index = toolCallCount++;
      const [first = '', ...rest] = part.argumentPieces;
      let events = deltaChunk({
        tool_calls: [{ index, id: part.id ?? `call_fake_${context.sequence}_${index}`, type: 'function', function: { name: part.name, arguments: first } }],
      });
      for (const piece of rest) events += deltaChunk({ tool_calls: [{ index, function: { arguments: piece } }] });
      return opening() + events;
    },
    streamEnd({ finishReason, usage, includeTerminator }: StreamEnding) {
      let events = opening() + chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
      // Real OpenAI sends usage only when asked to; a client that forgets to ask gets none here either.
      if (usage !== undefined && asksForUsage(context.requestBody)) events += chunk([], { usage: usageBody(usage) });
      if (includeTerminator) events += 'data: [DONE]\n\n';
      return events;
    },
    streamError(message) {
      return serverSentEvent({ error: { message, type: 'server_error', param: null, code: null } });
    },
    invalidJsonEvent() {
      return `data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"cut off\n\n`;
    },
    completeBody(parts, finishReason, usage) {
      return completion(id, created, context, parts, finishReason, usage);
    },
    errorBody(status, message) {
      return { error: { message, ...openAIErrorKind(status), param: null } };
    },
  };
}

function completion(
  id: string,
  created: number,
  context: EncoderContext,
  parts: FakeContentPart[],
  finishReason: FakeFinishReason,
  usage: FakeUsage | undefined,
): unknown {
  const content = parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  const reasoningContent = parts.flatMap((part) => (part.type === 'reasoning' ? [part.text] : [])).join('');
  const toolCalls = parts
    .flatMap((part) => (part.type === 'tool-call' ? [part] : []))
    .map((part, index) => ({
      id: part.id ?? `call_fake_${context.sequence}_${index}`,
      type: 'function',
      function: { name: part.name, arguments: joinedArguments(part) },
    }));
  const message = {
    role: 'assistant',
    content: content === '' && toolCalls.length > 0 ? null : content,
    ...(reasoningContent === '' ? {} : { reasoning_content: reasoningContent }),
    ...(toolCalls.length === 0 ? {} : { tool_calls: toolCalls }),
  };
  return {
    id,
    object: 'chat.completion',
    created,
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    ...(usage === undefined ? {} : { usage: usageBody(usage) }),
  };
}

function usageBody(usage: FakeUsage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

function asksForUsage(requestBody: unknown): boolean {
  const options = (requestBody as { stream_options?: { include_usage?: unknown } } | undefined)?.stream_options;
  return options?.include_usage === true;
}

function openAIErrorKind(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/** `GET /v1/models` in OpenAI's shape. */
export function openAIModelList(models: string[]): unknown {
  return { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake-upstream' })) };
}
