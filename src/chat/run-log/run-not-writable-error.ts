/**
 * Appending to or finishing a run that this log does not hold open. Always a programming error in
 * the caller (a missing `create`, a second `finish`, or a write after `close`), never a runtime
 * condition to recover from.
 */
export class RunNotWritableError extends Error {
  override name = 'RunNotWritableError';

  constructor(
    readonly runId: string,
    reason: string,
  ) {
    super(`run ${runId} takes no more events: ${reason}`);
  }
}
