import type { FakeContentPart, FakeFinishReason, FakeUsage } from './fake-reply.ts';
import { parsedArguments, serverSentEvent, type EncoderContext, type StreamEnding, type WireEncoder } from './wire-format.ts';

const thinkingSignature = 'fake-thinking-signature';

/** Anthropic messages (`POST /v1/messages`): typed events around numbered content blocks. */
export function createAnthropicEncoder(context: EncoderContext): WireEncoder {
  const id = `msg_fake_${context.sequence}`;
  let isOpened = false;
  let openBlock: { type: 'text' | 'thinking'; index: number } | undefined;
  let blockCount = 0;
  let toolCallCount = 0;

  const event = (data: { type: string; [field: string]: unknown }) => serverSentEvent(data, data.type);
  // message_start carries the input tokens before any content; sent lazily so a stall at the start sends nothing.
  const opening = () => {
    if (isOpened) return '';
    isOpened = true;
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model: context.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: context.usage?.promptTokens ?? 0, output_tokens: 1 },
    };
    return event({ type: 'message_start', message }) + event({ type: 'ping' });
  };
  const closeBlock = () => {
    if (openBlock === undefined) return '';
    const { type, index } = openBlock;
    openBlock = undefined;
    const signature = type === 'thinking' ? event({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: thinkingSignature } }) : '';
    return signature + event({ type: 'content_block_stop', index });
  };
  const ensureBlock = (type: 'text' | 'thinking') => {
    if (openBlock?.type === type) return '';
    const events = closeBlock();
    openBlock = { type, index: blockCount++ };
    const contentBlock = type === 'text' ? { type, text: '' } : { type, thinking: '' };
    return events + event({ type: 'content_block_start', index: openBlock.index, content_block: contentBlock });
  };

  return {
    streamPart(part) {
      let events = opening();
      if (part.type === 'text') {
        events += ensureBlock('text');
        return events + event({ type: 'content_block_delta', index: openBlock!.index, delta: { type: 'text_delta', text: part.text } });
      }
      if (part.type === 'reasoning') {
        events += ensureBlock('thinking');
        return events + event({ type: 'content_block_delta', index: openBlock!.index, delta: { type: 'thinking_delta', thinking: part.text } });
      }
      events += closeBlock();
      const index = blockCount++;
      const toolUse = { type: 'tool_use', id: part.id ?? `toolu_fake_${context.sequence}_${toolCallCount++}`, name: part.name, input: {} };
      events += event({ type: 'content_block_start', index, content_block: toolUse });
      for (const piece of ['', ...part.argumentPieces]) {
        events += event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
      return events + event({ type: 'content_block_stop', index });
    },
    streamEnd({ finishReason, usage, includeTerminator }: StreamEnding) {
      const messageDelta = {
        type: 'message_delta',
        delta: { stop_reason: stopReason(finishReason), stop_sequence: null },
        usage: outputUsage(usage),
      };
      return opening() + closeBlock() + event(messageDelta) + (includeTerminator ? event({ type: 'message_stop' }) : '');
    },
    streamError(message) {
      return event({ type: 'error', error: { type: 'api_error', message } });
    },
    invalidJsonEvent() {
      return 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"cut off\n\n';
    },
    completeBody(parts, finishReason, usage) {
      return {
        id,
        type: 'message',
        role: 'assistant',
        model: context.model,
        content: contentBlocks(parts, context.sequence),
        stop_reason: stopReason(finishReason),
        stop_sequence: null,
        usage: { input_tokens: usage?.promptTokens ?? 0, ...outputUsage(usage) },
      };
    },
    errorBody(status, message) {
      return { type: 'error', error: { type: anthropicErrorType(status), message } };
    },
  };
}

/** Merges neighbouring text and reasoning parts into blocks, as a non-streamed message has them. */
function contentBlocks(parts: FakeContentPart[], sequence: number): unknown[] {
  const blocks: Array<Record<string, unknown>> = [];
  let toolCallCount = 0;
  for (const part of parts) {
    const last = blocks.at(-1);
    if (part.type === 'text') {
      if (last?.type === 'text') last.text = `${String(last.text)}${part.text}`;
      else blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'reasoning') {
      if (last?.type === 'thinking') last.thinking = `${String(last.thinking)}${part.text}`;
      else blocks.push({ type: 'thinking', thinking: part.text, signature: thinkingSignature });
    } else {
      const id = part.id ?? `toolu_fake_${sequence}_${toolCallCount++}`;
      blocks.push({ type: 'tool_use', id, name: part.name, input: parsedArguments(part) });
    }
  }
  return blocks;
}

// Anthropic always reports usage, so an answer scripted without usage reports zeros.
function outputUsage(usage: FakeUsage | undefined) {
  return {
    output_tokens: usage?.completionTokens ?? 0,
    ...(usage?.reasoningTokens === undefined ? {} : { output_tokens_details: { thinking_tokens: usage.reasoningTokens } }),
  };
}

function stopReason(finishReason: FakeFinishReason): string {
  if (finishReason === 'length') return 'max_tokens';
  if (finishReason === 'tool_calls') return 'tool_use';
  return 'end_turn';
}

function anthropicErrorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    529: 'overloaded_error',
  };
  return types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** `GET /v1/models` as Anthropic answers it (requests carry `anthropic-version`). */
export function anthropicModelList(models: string[]): unknown {
  return {
    data: models.map((id) => ({ id, type: 'model', display_name: id, created_at: '2025-01-01T00:00:00Z' })),
    has_more: false,
    first_id: models[0] ?? null,
    last_id: models.at(-1) ?? null,
  };
}
