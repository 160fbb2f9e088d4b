import type { ChatEvent } from './chat-event.ts';

/** One rendered step of an assistant answer, in Luxx's `process_steps` shape. */
export type ProcessStep =
  | { id: string; index: number; type: 'thinking' | 'text'; content: string }
  | { id: string; index: number; type: 'tool_call'; id_ref: string; name: string; arguments: string }
  | { id: string; index: number; type: 'tool_result'; id_ref: string; name: string; content: string; success: boolean };

/**
 * Folds a turn's events into ordered steps: consecutive text deltas grow one text step,
 * consecutive reasoning deltas one thinking step, and each tool call and result is a step of
 * its own. The stored message and the Luxx stream are both built from this, so what a client
 * saw streaming is exactly what it reads back later.
 */
export class StepAccumulator {
  readonly steps: ProcessStep[] = [];
  /** The answer's text: every text step joined. */
  content = '';

  /** Applies one event; returns the step it created or changed, if any. */
  apply(event: ChatEvent): ProcessStep | undefined {
    switch (event.type) {
      case 'text-delta':
        this.content += event.text;
        return this.grow('text', event.text);
      case 'reasoning-delta':
        return this.grow('thinking', event.text);
      case 'tool-call':
        return this.push({ type: 'tool_call', id_ref: event.toolCallId, name: event.toolName, arguments: event.input });
      case 'tool-result':
        return this.push({
          type: 'tool_result',
          id_ref: event.toolCallId,
          name: event.toolName,
          content: event.output,
          success: !event.isError,
        });
      default:
        return undefined;
    }
  }

  private grow(type: 'text' | 'thinking', text: string): ProcessStep {
    const last = this.steps.at(-1);
    if (last && last.type === type) {
      last.content += text;
      return last;
    }
    return this.push({ type, content: text });
  }

  private push(step: DistributiveOmit<ProcessStep, 'id' | 'index'>): ProcessStep {
    const index = this.steps.length;
    const created = { id: `step-${index}`, index, ...step } as ProcessStep;
    this.steps.push(created);
    return created;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
