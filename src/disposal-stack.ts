import type { DiagnosticLog } from './diagnostics.ts';

/**
 * What the composition root opened, closed in the reverse order: a start that fails halfway
 * closes what it had opened (database, Redis, pools, sweeps, workers), and a stop closes it all.
 * A close that fails is logged and the rest still close.
 */
export function createDisposalStack(log: DiagnosticLog) {
  const stack: Array<{ name: string; close: () => unknown }> = [];
  let closing: Promise<void> | undefined;
  return {
    /** Records how to close `value` and hands it back. */
    push<T>(name: string, value: T, close: (value: T) => unknown): T {
      stack.push({ name, close: () => close(value) });
      return value;
    },
    /** Closes everything pushed, newest first; repeated calls share one closing. */
    closeAll(): Promise<void> {
      closing ??= (async () => {
        while (stack.length > 0) {
          const entry = stack.pop()!;
          try {
            await entry.close();
          } catch (error) {
            log.error({ err: error, resource: entry.name }, `could not close the ${entry.name}`);
          }
        }
      })();
      return closing;
    },
  };
}
