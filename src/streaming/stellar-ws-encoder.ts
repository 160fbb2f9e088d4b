import type { FinishReason } from '../chat/chat-event.ts';
import type { RunEvent } from '../chat/run-log.ts';
import { ContentBlocks, type BlockOp } from './content-blocks.ts';

/** One StellarByte WebSocket frame; `id` (`<message id>:<seq>`) is the cursor to resume after. */
export interface StellarFrame {
  event: string;
  data: Record<string, unknown>;
  id?: string;
}

const finishReason = (reason: FinishReason): string =>
  reason === 'length' ? 'length' : reason === 'tool-calls' ? 'tool_calls' : reason === 'content-filter' ? 'content_filter' : 'stop';

function blockData(op: BlockOp): { event: string; data: Record<string, unknown> } {
  if (op.op === 'stop') return { event: 'content_block_stop', data: { index: op.index } };
  if (op.op === 'start') {
    const extra = op.kind === 'tool_use' ? { id: op.toolCallId, name: op.toolName } : {};
    return { event: 'content_block_start', data: { type: op.kind, index: op.index, ...extra } };
  }
  const delta =
    op.kind === 'text'
      ? { type: 'text_delta', text: op.text }
      : op.kind === 'thinking'
        ? { type: 'thinking_delta', thinking: op.text, reasoning_content: op.text }
        : { type: 'input_json_delta', partial_json: op.text };
  return { event: 'content_block_delta', data: { index: op.index, delta } };
}

/**
 * StellarByte's WebSocket frames over a turn's events: content blocks (text, thinking with
 * `reasoning_content`, tool use), `message_delta` with the finish reason and usage, and always
 * `message_stop` last, after an `error` too.
 */
export class StellarWsEncoder {
  private readonly blocks = new ContentBlocks();
  private messageId = '';

  constructor(private readonly afterSeq = 0) {}

  push({ seq, event }: RunEvent): StellarFrame[] {
    if (event.type === 'turn-start') this.messageId = event.assistantMessageId;
    // Fold earlier events silently so block indexes match what the client already has.
    const ops = this.blocks.apply(event);
    if (seq <= this.afterSeq) return [];
    const id = `${this.messageId}:${seq}`;
    const frames: StellarFrame[] = ops.map((op) => ({ ...blockData(op), id }));
    if (event.type === 'turn-start') {
      frames.push({ event: 'message_start', data: { message_id: event.assistantMessageId, session_id: event.conversationId, model: event.model }, id });
    } else if (event.type === 'error') {
      frames.push({ event: 'error', data: { type: 'server_error', code: event.code, message: event.message }, id });
    } else if (event.type === 'finish') {
      if (event.outcome !== 'failed') {
        frames.push({
          event: 'message_delta',
          data: {
            delta: { finish_reason: finishReason(event.finishReason) },
            usage: { input_tokens: event.usage.promptTokens, output_tokens: event.usage.completionTokens },
            status: event.outcome,
          },
          id,
        });
      }
      frames.push({ event: 'message_stop', data: { message_id: this.messageId }, id });
    }
    return frames;
  }
}
