/** Where a run log sends errors that have no caller to reject, such as a throwing stop listener. */
export type ReportError = (error: unknown) => void;

/** The default: a process warning, which Node prints and a host can observe, but which never crashes. */
export const reportErrorAsWarning: ReportError = (error) => {
  process.emitWarning(error instanceof Error ? error : new Error(String(error)), { type: 'RunLogWarning' });
};
