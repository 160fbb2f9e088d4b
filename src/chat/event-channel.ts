/**
 * A one-reader queue: the producer pushes items and ends it; the reader iterates them as they
 * come. Used where events go straight from a model call to one client without a run log.
 */
export function createEventChannel<T>() {
  const queued: T[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  return {
    push(item: T): void {
      if (ended) return;
      queued.push(item);
      notify();
    },
    end(): void {
      ended = true;
      notify();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      for (;;) {
        if (queued.length > 0) {
          yield queued.shift()!;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
