import type { FinishReason, TokenUsage } from '../chat/chat-event.ts';
import type { RunEvent } from '../chat/run-log.ts';
import { anthropicErrorType } from '../errors/anthropic-error-type.ts';
import { ContentBlocks, type BlockOp } from './content-blocks.ts';
import type { SseFrame } from './sse-frame.ts';

export const anthropicStopReason = (reason: FinishReason): string =>
  reason === 'length' ? 'max_tokens' : reason === 'tool-calls' ? 'tool_use' : 'end_turn';

export const anthropicUsage = (usage: TokenUsage) => ({
  input_tokens: usage.promptTokens,
  output_tokens: usage.completionTokens,
  cache_read_input_tokens: usage.cachedTokens,
  cache_creation_input_tokens: 0,
});

const event = (name: string, data: Record<string, unknown>): SseFrame => ({ event: name, data: { type: name, ...data } });

function blockFrame(op: BlockOp): SseFrame {
  if (op.op === 'stop') return event('content_block_stop', { index: op.index });
  if (op.op === 'start') {
    const block =
      op.kind === 'text'
        ? { type: 'text', text: '' }
        : op.kind === 'thinking'
          ? { type: 'thinking', thinking: '', signature: '' }
          : { type: 'tool_use', id: op.toolCallId, name: op.toolName, input: {} };
    return event('content_block_start', { index: op.index, content_block: block });
  }
  const delta =
    op.kind === 'text'
      ? { type: 'text_delta', text: op.text }
      : op.kind === 'thinking'
        ? { type: 'thinking_delta', thinking: op.text }
        : { type: 'input_json_delta', partial_json: op.text };
  return event('content_block_delta', { index: op.index, delta });
}

/**
 * Anthropic's Messages stream over a turn's events: `message_start`, content blocks (text,
 * thinking, tool_use), `message_delta` with the stop reason and usage, `message_stop`; a failure
 * is an `error` event.
 */
export class AnthropicEncoder {
  private readonly blocks = new ContentBlocks();

  constructor(private readonly message: { id: string; model: string }) {}

  push({ event: turnEvent }: RunEvent): SseFrame[] {
    if (turnEvent.type === 'turn-start') {
      return [
        event('message_start', {
          message: {
            id: this.message.id, type: 'message', role: 'assistant', model: this.message.model, content: [],
            stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 },
          },
        }),
      ];
    }
    const frames = this.blocks.apply(turnEvent).map(blockFrame);
    if (turnEvent.type === 'error') {
      frames.push(event('error', { error: { type: anthropicErrorType(turnEvent.code), message: turnEvent.message } }));
    } else if (turnEvent.type === 'finish' && turnEvent.outcome !== 'failed') {
      frames.push(
        event('message_delta', { delta: { stop_reason: anthropicStopReason(turnEvent.finishReason), stop_sequence: null }, usage: anthropicUsage(turnEvent.usage) }),
        event('message_stop', {}),
      );
    }
    return frames;
  }

  hasPending(): boolean {
    return false;
  }

  flush(): SseFrame[] {
    return [];
  }
}
