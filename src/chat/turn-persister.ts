import type { MessageProgress, MessagesRepository } from '../storage/repositories/messages-repository.ts';
import type { ChatEvent, TurnOutcome } from './chat-event.ts';
import { StepAccumulator } from './step-accumulator.ts';

export interface TurnPersisterOptions {
  messages: MessagesRepository;
  userId: string;
  messageId: string;
  /** Longest time partial content waits before it is written. */
  flushIntervalMs: number;
  /** A quiet turn (a long tool call) still touches its row this often, so sweeps see it alive. */
  heartbeatMs: number;
  clock: () => Date;
  onError: (error: unknown) => void;
}

export interface FinalState {
  status: Exclude<TurnOutcome, never>;
  tokenCount: number;
  usage: Record<string, unknown> | null;
  error: string | null;
  model: string;
}

/**
 * Keeps a generating assistant message in step with its turn: partial content is written at
 * most every `flushIntervalMs` (never per token), writes never overlap, and the final state is
 * written after any flush in flight, so it always wins.
 */
export function createTurnPersister(options: TurnPersisterOptions) {
  const accumulator = new StepAccumulator();
  let flushTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let ended = false;

  let lastWrite = Date.now();
  const write = (progress: Omit<MessageProgress, 'now'>) => {
    lastWrite = Date.now();
    writing = writing
      .then(() => options.messages.updateProgress(options.userId, options.messageId, { ...progress, now: options.clock().toISOString() }))
      .then(
        () => undefined,
        (error) => options.onError(error),
      );
    return writing;
  };

  const flush = () => {
    flushTimer = undefined;
    if (ended) return;
    void write({ content: accumulator.content, steps: accumulator.steps, status: 'generating' });
  };

  // Whatever else happens, the row is written at least every `heartbeatMs`, so sweeps see it alive.
  const heartbeat = setInterval(() => {
    if (!ended && Date.now() - lastWrite >= options.heartbeatMs / 2) {
      void write({ content: accumulator.content, steps: accumulator.steps, status: 'generating' });
    }
  }, options.heartbeatMs / 2);
  heartbeat.unref?.();

  return {
    accumulator,

    apply(event: ChatEvent): void {
      if (!accumulator.apply(event) || ended) return;
      if (!flushTimer) {
        flushTimer = setTimeout(flush, options.flushIntervalMs);
        flushTimer.unref?.();
      }
    },

    async finish(state: FinalState): Promise<void> {
      ended = true;
      clearTimeout(flushTimer);
      clearInterval(heartbeat);
      await write({ content: accumulator.content, steps: accumulator.steps, ...state });
    },
  };
}

export type TurnPersister = ReturnType<typeof createTurnPersister>;
