import { emptyUsage, type FinishReason, type TokenUsage, type TurnOutcome } from '../chat/chat-event.ts';
import type { RunEvent } from '../chat/run-log.ts';

export interface TurnSummary {
  model: string;
  text: string;
  reasoning: string;
  /** Client tool calls the turn ended with (server tools ran inside the turn and are not here). */
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: FinishReason;
  outcome: TurnOutcome;
  usage: TokenUsage;
  error?: { code: string; message: string };
}

/**
 * Folds a turn's whole event stream into one answer, for the non-streamed replies. Text after a
 * server tool's result continues the same answer; only calls without a result (the client's)
 * are kept as tool calls.
 */
export async function summariseTurn(events: AsyncIterable<RunEvent>): Promise<TurnSummary> {
  const summary: TurnSummary = { model: '', text: '', reasoning: '', toolCalls: [], finishReason: 'other', outcome: 'incomplete', usage: emptyUsage() };
  const answered = new Set<string>();
  for await (const { event } of events) {
    switch (event.type) {
      case 'turn-start':
        summary.model = event.model;
        break;
      case 'text-delta':
        summary.text += event.text;
        break;
      case 'reasoning-delta':
        summary.reasoning += event.text;
        break;
      case 'tool-call':
        summary.toolCalls.push({ id: event.toolCallId, name: event.toolName, arguments: event.input });
        break;
      case 'tool-result':
        answered.add(event.toolCallId);
        break;
      case 'error':
        summary.error = { code: event.code, message: event.message };
        break;
      case 'finish':
        summary.finishReason = event.finishReason;
        summary.outcome = event.outcome;
        summary.usage = event.usage;
        break;
      default:
        break;
    }
  }
  summary.toolCalls = summary.toolCalls.filter((call) => !answered.has(call.id));
  return summary;
}
