import { Worker } from 'node:worker_threads';
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
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
  /** The user whose code ran here; a worker never runs another user's code afterwards. */
  owner?: string;
}

/** A worker that has not answered `ready` by then is given up. */
const startupTimeoutMs = 120_000;

/**
 * Warm Pyodide workers, created on first use. Each run has a wall-time cap: past it (or on
 * abort) the worker is terminated and a fresh one starts. Interpreter state survives between
 * runs, so a worker is reused only for the user it last served; another user gets a clean worker.
 */
export function createPythonPool(options: PythonPoolOptions) {
  const slots: Slot[] = [];
  const waiting: (() => void)[] = [];
  let nextId = 1;
  let closed = false;
  const workerSettings: PythonWorkerSettings = {
    memoryLimitBytes: options.memoryMb * 1024 * 1024,
    maxOutputBytes: options.maxOutputBytes,
  };

  function start(owner?: string): Slot {
    const worker = new Worker(new URL('./python-worker-bootstrap.mjs', import.meta.url), {
      workerData: workerSettings,
      env: {},
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb, maxYoungGenerationSizeMb: 32 },
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const slot: Slot = { worker, busy: false, owner, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the Python worker did not start in time')), startupTimeoutMs);
      worker.once('message', (message: PythonWorkerMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve();
        else reject(new Error(message.type === 'failed' ? message.message : 'unexpected message from the Python worker'));
      });
      worker.once('error', (error) => (clearTimeout(timer), reject(error)));
      worker.once('exit', () => (clearTimeout(timer), reject(new Error('the Python worker exited while starting'))));
    });
    slot.ready.catch(() => discard(slot));
    worker.on('exit', () => discard(slot));
    worker.on('error', (error) => options.log?.warn({ err: error }, 'a Python worker failed'));
    slots.push(slot);
    return slot;
  }

  function discard(slot: Slot): void {
    const index = slots.indexOf(slot);
    if (index === -1) return;
    slots.splice(index, 1);
    void slot.worker.terminate();
    waiting.shift()?.();
  }

  /** An idle worker for this user: theirs, else a clean one, else a new one, else a recycled one. */
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

  async function acquire(userId: string, signal: AbortSignal): Promise<Slot> {
    for (;;) {
      if (closed) throw new Error('the Python pool is closed');
      signal.throwIfAborted();
      const slot = claim(userId);
      if (slot) {
        slot.busy = true;
        slot.owner = userId;
        return slot;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  function release(slot: Slot): void {
    slot.busy = false;
    waiting.shift()?.();
  }

  /** Starts a clean worker in the background while there is room and none is spare. */
  function keepSpare(): void {
    if (!closed && slots.length < options.size && !slots.some((slot) => slot.owner === undefined)) start();
  }

  async function run(
    userId: string,
    request: { mode: 'exec' | 'eval'; code: string; files: PythonFile[] },
    signal: AbortSignal,
  ): Promise<PythonOutcome> {
    const slot = await acquire(userId, signal);
    try {
      await slot.ready;
    } catch (error) {
      return { type: 'stopped', reason: 'unavailable', message: `Python is unavailable: ${(error as Error).message}` };
    }
    const id = nextId++;
    return new Promise<PythonOutcome>((resolve) => {
      const finish = (outcome: PythonOutcome, keepWorker: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        slot.worker.off('message', onMessage);
        slot.worker.off('exit', onExit);
        if (keepWorker) release(slot);
        else discard(slot);
        keepSpare();
        resolve(outcome);
      };
      const stop = (reason: 'timeout' | 'aborted' | 'crashed', message: string) =>
        finish({ type: 'stopped', reason, message }, false);
      const onMessage = (message: PythonWorkerMessage) => {
        if (message.type !== 'result' || message.id !== id) return;
        // A worker whose memory has grown past half the cap is replaced rather than reused.
        finish(message, message.memoryBytes <= workerSettings.memoryLimitBytes / 2);
      };
      const onExit = () => stop('crashed', 'the Python interpreter stopped (memory limit or a fatal error); it was replaced');
      const onAbort = () => stop('aborted', 'the Python run was stopped');
      const timer = setTimeout(
        () => stop('timeout', `the Python run took longer than ${options.timeoutMs} ms and was terminated`),
        options.timeoutMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      slot.worker.on('message', onMessage);
      slot.worker.once('exit', onExit);
      slot.worker.postMessage({ id, ...request });
    });
  }

  return {
    run,
    /** How many workers exist (started or starting). */
    get size() {
      return slots.length;
    },
    async close(): Promise<void> {
      closed = true;
      for (const resolve of waiting.splice(0)) resolve();
      await Promise.all(slots.splice(0).map((slot) => slot.worker.terminate()));
    },
  };
}

export type PythonPool = ReturnType<typeof createPythonPool>;
