/** Logging for background work (turns, sweeps) that has no request to log through. */
export interface DiagnosticLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Dependencies are built before the web app and its logger, so background work logs through
 * this forwarder; `buildApp` attaches the app's pino logger (with its redaction rules).
 */
export function createDiagnosticLog(): DiagnosticLog & { attach(target: DiagnosticLog): void } {
  let target: DiagnosticLog | undefined;
  const forward = (level: keyof DiagnosticLog) => (details: object, message: string) => {
    if (target) target[level](details, message);
    else if (level !== 'info') console.error(`[${level}] ${message}`);
  };
  return {
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
    attach(logger) {
      target = logger;
    },
  };
}
