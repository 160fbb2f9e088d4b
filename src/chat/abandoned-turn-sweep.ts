import type { DiagnosticLog } from '../diagnostics.ts';
import type { Lease } from '../storage/leases/lease.ts';
import type { MessagesRepository } from '../storage/repositories/messages-repository.ts';
import { emptyUsage } from './chat-event.ts';
import type { RunLog } from './run-log.ts';

export interface AbandonedTurnSweepOptions {
  messages: MessagesRepository;
  /** Shared run logs (Redis) still hold the dead turns' runs; ending them releases their readers. */
  runLog: RunLog;
  /** One instance of a deployment sweeps at a time; the others skip that run. */
  lease: Lease;
  clock: () => Date;
  log: DiagnosticLog;
  /**
   * A generating message untouched for this long has lost its runner (runners touch theirs every
   * 15 s). Embedded mode has a single process, so at start-up every generating message is an
   * orphan; with a shared database another instance may own it, hence the wait.
   */
  staleAfterMs: number;
  everyMs: number;
  /** End every generating message at start-up (only when no other instance can exist). */
  sweepAllAtStart: boolean;
}

export const abandonedTurnLeaseName = 'abandoned-turn-sweep';

/**
 * Ends answers whose runner died (a crash, a kill, a lost instance) as `incomplete`, keeping the
 * partial content they had flushed. Runs once at start-up, then periodically, each run under the
 * lease (a run another instance is doing is skipped and ends nothing here).
 */
export function startAbandonedTurnSweep(options: AbandonedTurnSweepOptions) {
  const sweep = async (before: Date) => {
    const ended = await options.messages.endAbandoned(before.toISOString(), options.clock().toISOString());
    if (ended.length > 0) options.log.warn({ messageIds: ended }, `ended ${ended.length} abandoned answer(s) as incomplete`);
    for (const turnId of ended) {
      await options.runLog.abandon(turnId, {
        type: 'finish', outcome: 'incomplete', finishReason: 'error', usage: { ...emptyUsage(), estimated: true }, tokenCount: 0,
      });
    }
    return ended;
  };
  const stale = () => new Date(options.clock().getTime() - options.staleAfterMs);
  const running = new Set<Promise<unknown>>();
  const runUnderLease = (before: () => Date) => {
    const run = options.lease.run(abandonedTurnLeaseName, () => sweep(before()));
    running.add(run);
    void run.finally(() => running.delete(run)).catch(() => {});
    return run;
  };
  const initial = runUnderLease(() => (options.sweepAllAtStart ? new Date(options.clock().getTime() + 1) : stale()))
    .then((outcome) => (outcome.ran ? outcome.value : []));
  const timer = setInterval(() => {
    runUnderLease(stale).catch((error) => options.log.error({ err: error }, 'the abandoned-answer sweep failed'));
  }, options.everyMs);
  timer.unref?.();
  return {
    /** The start-up sweep's result: the answers it ended (none when another instance swept). */
    initial,
    /** One run now, under the lease (what the timer does). */
    runOnce: () => runUnderLease(stale),
    /** Stops the timer and waits for a run in progress, so its lease is released before the database closes. */
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
