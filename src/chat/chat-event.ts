/**
 * The one internal event stream of a chat turn. The turn runner emits these into the run log;
 * every transport (Luxx process steps, OpenAI chunks, Anthropic events, LLMChat chunks,
 * StellarByte frames) only encodes them.
 */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  totalTokens: number;
  /** True when the provider reported nothing and the numbers were counted locally. */
  estimated: boolean;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'cancelled' | 'error' | 'other';

/** How the assistant message ended; mirrors the message status column. */
export type TurnOutcome = 'complete' | 'cancelled' | 'incomplete' | 'failed';

export type ChatEvent =
  | {
      type: 'turn-start';
      turnId: string;
      conversationId: string;
      userMessageId: string;
      assistantMessageId: string;
      providerId: string;
      model: string;
      createdAt: string;
    }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  /** `input` is the JSON text of the arguments, exactly as the model produced it. */
  | { type: 'tool-call'; toolCallId: string; toolName: string; input: string }
  | { type: 'tool-result'; toolCallId: string; toolName: string; output: string; isError: boolean }
  /** Usage of one model call; a turn with tool calls has several. */
  | { type: 'usage'; usage: TokenUsage }
  | {
      type: 'finish';
      outcome: TurnOutcome;
      finishReason: FinishReason;
      /** Usage summed over the turn's model calls. */
      usage: TokenUsage;
      tokenCount: number;
    }
  /** The turn failed; a `finish` with outcome `failed` follows. */
  | { type: 'error'; code: string; message: string };

export const emptyUsage = (): TokenUsage => ({
  promptTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  cachedTokens: 0,
  totalTokens: 0,
  estimated: false,
});

export function addUsage(total: TokenUsage, part: TokenUsage): TokenUsage {
  return {
    promptTokens: total.promptTokens + part.promptTokens,
    completionTokens: total.completionTokens + part.completionTokens,
    reasoningTokens: total.reasoningTokens + part.reasoningTokens,
    cachedTokens: total.cachedTokens + part.cachedTokens,
    totalTokens: total.totalTokens + part.totalTokens,
    estimated: total.estimated || part.estimated,
  };
}
