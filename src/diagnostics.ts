/**
 * What background work (turns, sweeps, tools) needs of a logger: the `(details, message)` calls
 * of the process's pino logger (`src/logger.ts`), which is what every caller is given.
 */
export interface DiagnosticLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
