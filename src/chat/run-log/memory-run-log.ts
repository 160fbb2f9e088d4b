import type { ChatEvent } from '../chat-event.ts';
import type { RunEvent, RunInfo, RunLog } from '../run-log.ts';
import { assertReadCursor } from './assert-read-cursor.ts';
import { reportErrorAsWarning, type ReportError } from './report-error.ts';
import { RunNotWritableError } from './run-not-writable-error.ts';

/** Schedules `callback` once after `milliseconds`; returns the call that cancels it. */
export type SetTimer = (callback: () => void, milliseconds: number) => () => void;

export interface MemoryRunLogOptions {
  /** How long a finished run stays readable. */
  retentionSeconds: number;
  clock?: () => Date;
  setTimer?: SetTimer;
  /** Receives errors thrown by stop listeners, so one bad listener cannot silence the others. */
  reportError?: ReportError;
}

interface StopSubscription {
  listener: () => void;
  active: boolean;
}

interface MemoryRun {
  userId: string;
  /** `events[index]` has seq `index + 1`. Each entry is shared by every reader: never mutate it. */
  events: RunEvent[];
  finished: boolean;
  stopRequested: boolean;
  /** Readers that have caught up and wait for the next append or the finish. */
  waiters: Array<() => void>;
  stopSubscriptions: Set<StopSubscription>;
  expiresAt: number;
  cancelExpiry?: () => void;
}

const unrefTimer: SetTimer = (callback, milliseconds) => {
  const timer = setTimeout(callback, milliseconds);
  // A retention timer must not keep a finished server process alive.
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * The run log of embedded mode: everything lives in this process. Appends are an array push and,
 * only when readers have caught up, one call per waiting reader; a reader drains everything it
 * has not seen before it waits again, so a slow reader costs the writer nothing.
 */
export function createMemoryRunLog(options: MemoryRunLogOptions): RunLog {
  const clock = options.clock ?? (() => new Date());
  const setTimer = options.setTimer ?? unrefTimer;
  const reportError = options.reportError ?? reportErrorAsWarning;
  const retentionMilliseconds = options.retentionSeconds * 1000;
  const runs = new Map<string, MemoryRun>();
  const settled = Promise.resolve();
  let closed = false;

  /** The run while it is readable; a run past its retention is dropped here even if its timer is late. */
  function readableRun(runId: string): MemoryRun | undefined {
    const run = runs.get(runId);
    if (run && run.finished && clock().getTime() >= run.expiresAt) {
      run.cancelExpiry?.();
      runs.delete(runId);
      return undefined;
    }
    return run;
  }

  function wakeReaders(run: MemoryRun): void {
    const waiters = run.waiters;
    // Resolving only queues each reader's continuation, so none re-registers during this loop.
    for (let index = 0; index < waiters.length; index += 1) waiters[index]!();
    waiters.length = 0;
  }

  function callStopListener(subscription: StopSubscription): void {
    if (!subscription.active) return;
    subscription.active = false;
    try {
      subscription.listener();
    } catch (error) {
      reportError(error);
    }
  }

  function notWritable(runId: string, run: MemoryRun | undefined): RunNotWritableError {
    if (closed) return new RunNotWritableError(runId, 'the run log is closed');
    return new RunNotWritableError(runId, run ? 'it is finished' : 'no run with this id was created');
  }

  function assertOpen(): void {
    if (closed) throw new Error('the run log is closed');
  }

  async function* readRun(runId: string, afterSeq: number, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    assertOpen();
    assertReadCursor(afterSeq);
    const run = readableRun(runId);
    if (!run || signal?.aborted) return;
    let nextIndex = afterSeq;
    let wake: (() => void) | undefined;
    const stopWaiting = () => {
      if (!wake) return;
      const index = run.waiters.indexOf(wake);
      if (index >= 0) run.waiters.splice(index, 1);
      wake();
    };
    signal?.addEventListener('abort', stopWaiting);
    try {
      for (;;) {
        while (nextIndex < run.events.length) {
          yield run.events[nextIndex]!;
          nextIndex += 1;
          if (signal?.aborted) return;
        }
        if (run.finished || closed || signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          run.waiters.push(resolve);
        });
        wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', stopWaiting);
      stopWaiting();
    }
  }

  function appendEvent(runId: string, event: ChatEvent): Promise<void> {
    const run = closed ? undefined : runs.get(runId);
    if (!run || run.finished) return Promise.reject(notWritable(runId, run));
    run.events.push({ seq: run.events.length + 1, event });
    if (run.waiters.length > 0) wakeReaders(run);
    return settled;
  }

  return {
    async create(runId, userId) {
      assertOpen();
      if (readableRun(runId)) throw new Error(`run ${runId} already exists in the run log`);
      runs.set(runId, {
        userId,
        events: [],
        finished: false,
        stopRequested: false,
        waiters: [],
        stopSubscriptions: new Set(),
        expiresAt: Number.POSITIVE_INFINITY,
      });
    },

    append: appendEvent,

    async finish(runId) {
      const run = closed ? undefined : runs.get(runId);
      if (!run || run.finished) throw notWritable(runId, run);
      run.finished = true;
      run.expiresAt = clock().getTime() + retentionMilliseconds;
      run.cancelExpiry = setTimer(() => {
        if (runs.get(runId) === run) runs.delete(runId);
      }, retentionMilliseconds);
      wakeReaders(run);
    },

    read: readRun,

    async abandon(runId, lastEvent) {
      const run = closed ? undefined : readableRun(runId);
      if (!run || run.finished) return false;
      // The log's own append: ending a run whose writer broke must not depend on that writer.
      await appendEvent(runId, lastEvent);
      await this.finish(runId);
      return true;
    },

    async info(runId): Promise<RunInfo | undefined> {
      const run = closed ? undefined : readableRun(runId);
      if (!run) return undefined;
      return { userId: run.userId, finished: run.finished, lastSeq: run.events.length };
    },

    async requestStop(runId) {
      const run = closed ? undefined : readableRun(runId);
      if (!run || run.finished) return false;
      run.stopRequested = true;
      for (const subscription of [...run.stopSubscriptions]) callStopListener(subscription);
      return true;
    },

    onStop(runId, listener) {
      const run = closed ? undefined : readableRun(runId);
      // An unknown run can never be stopped (requestStop answers false), so there is nothing to hear.
      if (!run) return () => undefined;
      const subscription: StopSubscription = { listener, active: true };
      run.stopSubscriptions.add(subscription);
      // Deliver an earlier stop after returning, so the caller already holds its unsubscribe call.
      if (run.stopRequested) queueMicrotask(() => callStopListener(subscription));
      return () => {
        subscription.active = false;
        run.stopSubscriptions.delete(subscription);
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const run of runs.values()) {
        run.cancelExpiry?.();
        wakeReaders(run);
      }
      runs.clear();
    },
  };
}
