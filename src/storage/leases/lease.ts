/** What a run under a lease came to: the work's value, or that another holder had the lease. */
export type LeaseOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * Named leases shared by every instance of one deployment, so periodic housekeeping (the sweeps)
 * is done by one instance at a time. `run` never waits for a lease: when another holder has it,
 * this run is skipped (the holder is doing the same work). The job queue, when it comes, can take
 * this interface's place at the sweeps' call sites.
 */
export interface Lease {
  run<T>(name: string, work: () => Promise<T>): Promise<LeaseOutcome<T>>;
  /** Which kind of lease this is, for logs and tests. */
  readonly kind: 'local' | 'postgres' | 'redis';
}

/**
 * One process (embedded SQLite) is the only instance, so the lease is always free except while
 * this process is running the same work: overlapping runs of one sweep are still skipped.
 */
export function createLocalLease(): Lease {
  const held = new Set<string>();
  return {
    kind: 'local',
    async run(name, work) {
      if (held.has(name)) return { ran: false };
      held.add(name);
      try {
        return { ran: true, value: await work() };
      } finally {
        held.delete(name);
      }
    },
  };
}
