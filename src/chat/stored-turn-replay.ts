import type { Message } from '../storage/repositories/messages-repository.ts';
import { emptyUsage, type ChatEvent, type TokenUsage, type TurnOutcome } from './chat-event.ts';
import type { RunEvent } from './run-log.ts';
import type { ProcessStep } from './step-accumulator.ts';

const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function storedUsage(usage: Record<string, unknown> | null): TokenUsage {
  if (!usage) return emptyUsage();
  return {
    promptTokens: number(usage.prompt_tokens),
    completionTokens: number(usage.completion_tokens),
    reasoningTokens: number(usage.reasoning_tokens),
    cachedTokens: number(usage.cached_tokens),
    totalTokens: number(usage.total_tokens),
    estimated: usage.estimated === true,
  };
}

function stepEvent(step: ProcessStep): ChatEvent | undefined {
  switch (step.type) {
    case 'thinking':
      return { type: 'reasoning-delta', text: step.content };
    case 'text':
      return { type: 'text-delta', text: step.content };
    case 'tool_call':
      return { type: 'tool-call', toolCallId: step.id_ref, toolName: step.name, input: step.arguments };
    case 'tool_result':
      return { type: 'tool-result', toolCallId: step.id_ref, toolName: step.name, output: step.content, isError: !step.success };
    default:
      return undefined;
  }
}

/**
 * The events of a turn rebuilt from its stored message, for a client that asks after the run log
 * has expired: one event per stored step, then the ending. Consecutive steps of one kind would
 * merge when folded again, which is why stored steps never sit next to a step of their own kind.
 */
export async function* replayStoredTurn(message: Message): AsyncIterable<RunEvent> {
  const events: ChatEvent[] = [
    {
      type: 'turn-start', turnId: message.id, conversationId: message.conversationId,
      userMessageId: message.parentId ?? '', assistantMessageId: message.id,
      providerId: String(message.metadata.providerId ?? ''), model: message.model ?? '', createdAt: message.createdAt,
    },
  ];
  for (const step of message.steps as ProcessStep[]) {
    const event = step && typeof step === 'object' ? stepEvent(step) : undefined;
    if (event) events.push(event);
  }
  if (message.status !== 'generating') {
    const usage = storedUsage(message.usage);
    if (message.status === 'failed' && message.error) events.push({ type: 'error', code: 'PROVIDER_ERROR', message: message.error });
    events.push({
      type: 'finish', outcome: message.status as TurnOutcome, finishReason: message.status === 'complete' ? 'stop' : 'other',
      usage, tokenCount: message.tokenCount,
    });
  }
  let seq = 0;
  for (const event of events) yield { seq: (seq += 1), event };
}
