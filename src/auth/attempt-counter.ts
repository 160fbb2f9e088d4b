/**
 * Counts events per key in a fixed window. The memory store serves one process; the Redis store
 * (`redis-attempt-counter.ts`) shares counts between instances.
 */
export interface AttemptCounter {
  /** Adds one and returns the new count and seconds until the window resets. */
  increment(key: string, windowSeconds: number): Promise<{ count: number; resetInSeconds: number }>;
  peek(key: string): Promise<{ count: number; resetInSeconds: number }>;
  reset(key: string): Promise<void>;
}

export function createMemoryAttemptCounter(clock: () => Date = () => new Date()): AttemptCounter {
  const windows = new Map<string, { count: number; resetsAt: number }>();
  let lastSweep = 0;

  function current(key: string, now: number) {
    if (now - lastSweep > 60_000) {
      lastSweep = now;
      for (const [entryKey, entry] of windows) if (entry.resetsAt <= now) windows.delete(entryKey);
    }
    const entry = windows.get(key);
    return entry && entry.resetsAt > now ? entry : undefined;
  }

  const remaining = (resetsAt: number, now: number) => Math.max(1, Math.ceil((resetsAt - now) / 1000));

  return {
    async increment(key, windowSeconds) {
      const now = clock().getTime();
      const entry = current(key, now) ?? { count: 0, resetsAt: now + windowSeconds * 1000 };
      entry.count += 1;
      windows.set(key, entry);
      return { count: entry.count, resetInSeconds: remaining(entry.resetsAt, now) };
    },
    async peek(key) {
      const now = clock().getTime();
      const entry = current(key, now);
      return entry ? { count: entry.count, resetInSeconds: remaining(entry.resetsAt, now) } : { count: 0, resetInSeconds: 0 };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
