import { AppError } from '../errors/app-error.ts';

export interface FairSchedulerOptions {
  /** What runs here, for messages: "Python", "shell". */
  name: string;
  /** Runs at once across all users. */
  slots: number;
  /** Runs of one user at once. */
  perUserRunning: number;
  /** Runs of one user waiting for a slot; one more is refused with RATE_LIMITED. */
  perUserQueued: number;
}

interface Waiter {
  start: () => void;
}

/**
 * Shares a fixed number of run slots between users: each user has a queue, and a free slot
 * goes to the next user in turn (round-robin) who is under their own running cap, so one
 * user's twelve runs wait behind each other, not in front of everyone else's. p-limit and
 * async-mutex queue first come, first served, which is the unfairness this replaces.
 */
export function createFairScheduler(options: FairSchedulerOptions) {
  const queues = new Map<string, Waiter[]>();
  const running = new Map<string, number>();
  /** Users with someone waiting, in the order their turn comes. */
  const turns: string[] = [];
  let active = 0;

  const runningOf = (userId: string) => running.get(userId) ?? 0;

  function begin(userId: string): void {
    active += 1;
    running.set(userId, runningOf(userId) + 1);
  }

  function end(userId: string): void {
    active -= 1;
    const left = runningOf(userId) - 1;
    if (left > 0) running.set(userId, left);
    else running.delete(userId);
    dispatch();
  }

  function dispatch(): void {
    while (active < options.slots) {
      const index = turns.findIndex((userId) => runningOf(userId) < options.perUserRunning);
      if (index === -1) return;
      const userId = turns.splice(index, 1)[0]!;
      const queue = queues.get(userId)!;
      const waiter = queue.shift()!;
      // Back of the line: the next free slot goes to someone else first.
      if (queue.length > 0) turns.push(userId);
      else queues.delete(userId);
      begin(userId);
      waiter.start();
    }
  }

  function leaveQueue(userId: string, waiter: Waiter): void {
    const queue = queues.get(userId);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index === -1) return;
    queue.splice(index, 1);
    if (queue.length === 0) {
      queues.delete(userId);
      turns.splice(turns.indexOf(userId), 1);
    }
  }

  /** Waits for this user's turn, refusing at once past the queue cap. */
  function turnOf(userId: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const queued = queues.get(userId)?.length ?? 0;
    if (queued === 0 && active < options.slots && runningOf(userId) < options.perUserRunning) {
      begin(userId);
      return Promise.resolve();
    }
    if (queued >= options.perUserQueued) {
      throw new AppError(
        'RATE_LIMITED',
        `too many ${options.name} runs: you have ${runningOf(userId)} running and ${queued} queued, and at most ` +
          `${options.perUserQueued} may wait; try again when one has finished`,
        { retryAfterSeconds: 1 },
      );
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        leaveQueue(userId, waiter);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (!queues.has(userId)) {
        queues.set(userId, []);
        turns.push(userId);
      }
      queues.get(userId)!.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  return {
    /** Runs `work` in one of this user's turns. Throws RATE_LIMITED past the user's queue cap. */
    async run<T>(userId: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
      await turnOf(userId, signal);
      try {
        return await work();
      } finally {
        end(userId);
      }
    },
    /** Runs and queued runs, for tests and diagnostics. */
    state: (userId: string) => ({ running: runningOf(userId), queued: queues.get(userId)?.length ?? 0, active }),
  };
}

export type FairScheduler = ReturnType<typeof createFairScheduler>;
