import type { ChatEvent } from './chat-event.ts';

/** One event of a run, numbered from 1 in the order it was appended. */
export interface RunEvent {
  seq: number;
  event: ChatEvent;
}

export interface RunInfo {
  userId: string;
  finished: boolean;
  lastSeq: number;
}

/**
 * Where a running turn writes its events, so that any client, on any instance, can read them
 * from any point while the turn runs and for a retention period after it ends. Memory in
 * embedded mode; Redis Streams when scaled out. Stop requests travel through it too, so a stop
 * call that lands on another instance still reaches the runner.
 */
export interface RunLog {
  /** Starts an empty log owned by `userId`. */
  create(runId: string, userId: string): Promise<void>;
  /** Appends in order; events of one run are numbered 1, 2, 3 … */
  append(runId: string, event: ChatEvent): Promise<void>;
  /** Marks the run finished; its events stay readable for the retention period. */
  finish(runId: string): Promise<void>;
  /**
   * Every event after `afterSeq`, then each new one as it is appended; ends after the run's
   * last event, or when `signal` aborts. Ends at once for an unknown or expired run.
   */
  read(runId: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<RunEvent>;
  info(runId: string): Promise<RunInfo | undefined>;
  /**
   * Ends a run whose runner died, from any instance: appends `lastEvent` after the newest event
   * and marks the run finished, so its readers end. False when the run is unknown or finished.
   */
  abandon(runId: string, lastEvent: ChatEvent): Promise<boolean>;
  /** Asks the runner of this run to stop; false when the run is unknown or finished. */
  requestStop(runId: string): Promise<boolean>;
  /** Calls `listener` when a stop is requested for this run; returns the unsubscribe call. */
  onStop(runId: string, listener: () => void): () => void;
  close(): Promise<void>;
}
