import { createHostPathFilter, pythonHostRoots } from './host-paths.ts';
import { startPythonProcess, type PythonProcess } from './python-process.ts';
import type { PythonFile, PythonWorkerMessage, PythonWorkerSettings } from './python-protocol.ts';

export interface PythonPoolOptions {
  size: number;
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
  log?: { warn(details: object, message: string): void };
}

export type PythonOutcome =
  | Extract<PythonWorkerMessage, { type: 'result' }>
  | { type: 'stopped'; reason: 'timeout' | 'aborted' | 'crashed' | 'unavailable'; message: string };

interface Slot {
  process: PythonProcess;
  ready: Promise<void>;
  busy: boolean;
  /** The user whose code ran here; a process never runs another user's code afterwards. */
  owner?: string;
}

/** A process that has not answered `ready` by then is given up. */
const startupTimeoutMs = 120_000;

class PoolClosedError extends Error {}

/**
 * Warm Pyodide processes (one OS process each), created on first use. Each run has a
 * wall-time cap: past it (or on abort) the process is killed and a fresh one starts; a crash
 * (V8 heap limit, signal) ends only that process and its run. Interpreter state survives
 * between runs, so a process is reused only for the user it last served.
 */
export function createPythonPool(options: PythonPoolOptions) {
  const slots: Slot[] = [];
  const waiting: (() => void)[] = [];
  let nextId = 1;
  let closed = false;
  const hideHostPaths = createHostPathFilter(pythonHostRoots());
  const workerSettings: PythonWorkerSettings = {
    memoryLimitBytes: options.memoryMb * 1024 * 1024,
    maxOutputBytes: options.maxOutputBytes,
  };

  function start(owner?: string): Slot {
    const python = startPythonProcess(workerSettings, options.memoryMb);
    const slot: Slot = { process: python, busy: false, owner, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the Python process did not start in time')), startupTimeoutMs);
      python.child.once('message', (message: PythonWorkerMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve();
        else reject(new Error(message.type === 'failed' ? message.message : 'unexpected message from the Python process'));
      });
      python.onGone((reason) => (clearTimeout(timer), reject(new Error(`${reason} while starting`))));
    });
    slot.ready.catch((error: Error) => {
      if (!closed) options.log?.warn({ err: error }, 'a Python process did not start');
      discard(slot);
    });
    python.onGone(() => discard(slot));
    slots.push(slot);
    return slot;
  }

  function discard(slot: Slot): void {
    slot.process.kill();
    const index = slots.indexOf(slot);
    if (index === -1) return;
    slots.splice(index, 1);
    waiting.shift()?.();
  }

  /** An idle process for this user: theirs, else a clean one, else a new one, else a recycled one. */
  function claim(userId: string): Slot | undefined {
    const idle = slots.filter((slot) => !slot.busy);
    const chosen =
      idle.find((slot) => slot.owner === userId) ??
      idle.find((slot) => slot.owner === undefined) ??
      (slots.length < options.size ? start(userId) : undefined);
    if (chosen) return chosen;
    const other = idle[0];
    if (!other) return undefined;
    discard(other);
    return start(userId);
  }

  /** Waits for a wake-up; an abort leaves the queue at once. */
  function waitForTurn(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = waiting.indexOf(wake);
        if (index !== -1) waiting.splice(index, 1);
        reject(signal.reason);
      };
      waiting.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function acquire(userId: string, signal: AbortSignal): Promise<Slot> {
    for (;;) {
      if (closed) throw new PoolClosedError('the Python pool is closed');
      if (signal.aborted) {
        // This caller may have been woken just before its abort: pass the turn on.
        waiting.shift()?.();
        signal.throwIfAborted();
      }
      const slot = claim(userId);
      if (slot) {
        slot.busy = true;
        slot.owner = userId;
        return slot;
      }
      await waitForTurn(signal);
    }
  }

  function release(slot: Slot): void {
    slot.busy = false;
    waiting.shift()?.();
  }

  /** Starts a clean process in the background while there is room and none is spare. */
  function keepSpare(): void {
    if (!closed && slots.length < options.size && !slots.some((slot) => slot.owner === undefined)) start();
  }

  /** What reaches the user names no host path (tracebacks carry JavaScript frames of the worker's files). */
  function withoutHostPaths(outcome: PythonOutcome): PythonOutcome {
    if (outcome.type === 'stopped') return { ...outcome, message: hideHostPaths(outcome.message) };
    return {
      ...outcome,
      value: outcome.value === null ? null : hideHostPaths(outcome.value),
      stdout: hideHostPaths(outcome.stdout),
      stderr: hideHostPaths(outcome.stderr),
    };
  }

  async function run(
    userId: string,
    request: { mode: 'exec' | 'eval'; code: string; files: PythonFile[] },
    signal: AbortSignal,
  ): Promise<PythonOutcome> {
    let slot: Slot;
    try {
      slot = await acquire(userId, signal);
    } catch (error) {
      if (error instanceof PoolClosedError) return { type: 'stopped', reason: 'unavailable', message: `Python is unavailable: ${error.message}` };
      return { type: 'stopped', reason: 'aborted', message: 'the Python run was stopped before it started' };
    }
    try {
      await slot.ready;
    } catch (error) {
      return { type: 'stopped', reason: 'unavailable', message: hideHostPaths(`Python is unavailable: ${(error as Error).message}`) };
    }
    const id = nextId++;
    const { child } = slot.process;
    return new Promise<PythonOutcome>((resolve) => {
      let settled = false;
      let stopWatchingExit = () => {};
      const finish = (outcome: PythonOutcome, keepProcess: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
        stopWatchingExit();
        if (keepProcess) release(slot);
        else discard(slot);
        keepSpare();
        resolve(withoutHostPaths(outcome));
      };
      const stop = (reason: 'timeout' | 'aborted' | 'crashed', message: string) =>
        finish({ type: 'stopped', reason, message }, false);
      const onMessage = (message: PythonWorkerMessage) => {
        if (message?.type !== 'result' || message.id !== id) return;
        // A process whose memory has grown past half the cap is replaced rather than reused.
        finish(message, message.memoryBytes <= workerSettings.memoryLimitBytes / 2);
      };
      const onAbort = () => stop('aborted', 'the Python run was stopped');
      const timer = setTimeout(
        () => stop('timeout', `the Python run took longer than ${options.timeoutMs} ms and was terminated`),
        options.timeoutMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      child.on('message', onMessage);
      stopWatchingExit = slot.process.onGone((reason) =>
        stop('crashed', `${reason}; the run was lost and a fresh Python process replaces it`),
      );
      if (signal.aborted) onAbort();
      else slot.process.send({ id, ...request });
    });
  }

  return {
    run,
    /** How many processes exist (started or starting). */
    get size() {
      return slots.length;
    },
    async close(): Promise<void> {
      closed = true;
      for (const resolve of waiting.splice(0)) resolve();
      const gone = slots.splice(0).map(
        (slot) =>
          new Promise<void>((resolve) => {
            slot.process.onGone(() => resolve());
            slot.process.kill();
          }),
      );
      await Promise.all(gone);
    },
  };
}

export type PythonPool = ReturnType<typeof createPythonPool>;
