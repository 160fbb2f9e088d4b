import type { FinishReason, TokenUsage } from '../chat/chat-event.ts';
import type { RunEvent } from '../chat/run-log.ts';
import type { SseFrame } from './sse-frame.ts';

export const openAiFinishReason = (reason: FinishReason): string =>
  reason === 'length' ? 'length' : reason === 'tool-calls' ? 'tool_calls' : reason === 'content-filter' ? 'content_filter' : 'stop';

export const openAiUsage = (usage: TokenUsage) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.totalTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedTokens },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
});

export interface OpenAiStreamOptions {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  includeUsage: boolean;
  /** Number frames with the run's sequence numbers (persisted turns can be resumed). */
  numbered: boolean;
  /** Events at or before this were seen by the client already. */
  afterSeq?: number;
}

/**
 * OpenAI's `chat.completion.chunk` stream over a turn's events: a role chunk, content and
 * `reasoning_content` deltas, client tool calls, a finish chunk, the usage chunk when asked for,
 * then `[DONE]`. Every chunk but the usage one has a non-empty `choices`.
 */
export class OpenAiChunkEncoder {
  private toolIndex = 0;
  private started: boolean;
  private failed = false;
  private model: string;

  constructor(private readonly options: OpenAiStreamOptions) {
    // A resumed stream already had its role chunk; an empty model is taken from the turn.
    this.started = (options.afterSeq ?? 0) > 0;
    this.model = options.model;
  }

  private chunk(seq: number, delta: Record<string, unknown>, finishReason: string | null = null): SseFrame {
    const { id, created, numbered } = this.options;
    const model = this.model;
    return {
      ...(numbered ? { id: seq } : {}),
      data: { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] },
    };
  }

  push({ seq, event }: RunEvent): SseFrame[] {
    if (event.type === 'turn-start' && this.model === '') this.model = event.model;
    if (seq <= (this.options.afterSeq ?? 0)) {
      // Seen already: only keep the tool-call numbering in step.
      if (event.type === 'tool-call') this.toolIndex += 1;
      return [];
    }
    const frames: SseFrame[] = [];
    if (!this.started && event.type !== 'usage') {
      this.started = true;
      frames.push(this.chunk(seq, { role: 'assistant', content: '' }));
    }
    switch (event.type) {
      case 'text-delta':
        frames.push(this.chunk(seq, { content: event.text }));
        break;
      case 'reasoning-delta':
        frames.push(this.chunk(seq, { reasoning_content: event.text }));
        break;
      case 'tool-call':
        frames.push(
          this.chunk(seq, {
            tool_calls: [{ index: this.toolIndex++, id: event.toolCallId, type: 'function', function: { name: event.toolName, arguments: event.input } }],
          }),
        );
        break;
      case 'error':
        this.failed = true;
        frames.push({ data: { error: { message: event.message, type: 'server_error', code: event.code.toLowerCase(), param: null } } });
        break;
      case 'finish': {
        if (this.failed) break;
        frames.push(this.chunk(seq, {}, openAiFinishReason(event.finishReason)));
        if (this.options.includeUsage) {
          const { id, created } = this.options;
          frames.push({ data: { id, object: 'chat.completion.chunk', created, model: this.model, choices: [], usage: openAiUsage(event.usage) } });
        }
        break;
      }
      default:
        break;
    }
    return frames;
  }

  hasPending(): boolean {
    return false;
  }

  flush(): SseFrame[] {
    return [];
  }

  end(): SseFrame[] {
    return [{ data: '[DONE]' }];
  }
}
