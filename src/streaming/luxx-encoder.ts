import { usageView } from '../chat/turn-execution.ts';
import type { RunEvent } from '../chat/run-log.ts';
import { StepAccumulator, type ProcessStep } from '../chat/step-accumulator.ts';
import type { SseFrame } from './sse-frame.ts';

/**
 * Luxx's stream: `process_step` frames carrying a step's full content so far (clients replace
 * the step with the same id), then `done` or `error`. Growing text is sent as snapshots, so a
 * client that missed frames is whole again at the next one; to keep that cheap, a growing step
 * is held back and sent at most once per flush (the transport flushes on a short timer).
 *
 * Frames are numbered with the sequence number of the last event folded in, so a reconnect with
 * `Last-Event-ID` resumes exactly after what the client saw. Events at or before `afterSeq` are
 * folded silently to rebuild the steps' content.
 */
export class LuxxEncoder {
  private readonly accumulator = new StepAccumulator();
  private pending: { step: ProcessStep; seq: number } | undefined;
  private messageId = '';

  constructor(private readonly afterSeq: number) {}

  /** Frames ready to send after this event. */
  push({ seq, event }: RunEvent): SseFrame[] {
    if (event.type === 'turn-start') this.messageId = event.assistantMessageId;
    const frames: SseFrame[] = [];
    const step = this.accumulator.apply(event);
    if (seq <= this.afterSeq) return frames;
    if (step) {
      if (this.pending && this.pending.step !== step) frames.push(...this.flush());
      if (step.type === 'text' || step.type === 'thinking') this.pending = { step, seq };
      else frames.push(this.stepFrame(step, seq));
      return frames;
    }
    if (event.type === 'error') {
      frames.push(...this.flush());
      frames.push({ event: 'error', id: seq, data: { content: event.message, code: event.code, message_id: this.messageId } });
    } else if (event.type === 'finish') {
      frames.push(...this.flush());
      if (event.outcome !== 'failed') {
        frames.push({
          event: 'done',
          id: seq,
          data: { message_id: this.messageId, token_count: event.tokenCount, usage: usageView(event.usage), status: event.outcome },
        });
      }
    }
    return frames;
  }

  hasPending(): boolean {
    return this.pending !== undefined;
  }

  pendingSize(): number {
    const step = this.pending?.step;
    return step && 'content' in step ? step.content.length : 0;
  }

  /** The held-back growing step, if any. */
  flush(): SseFrame[] {
    if (!this.pending) return [];
    const { step, seq } = this.pending;
    this.pending = undefined;
    return [this.stepFrame(step, seq)];
  }

  private stepFrame(step: ProcessStep, seq: number): SseFrame {
    return { event: 'process_step', id: seq, data: { step: { ...step } } };
  }
}
