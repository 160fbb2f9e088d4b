import pino, { type Logger } from 'pino';
import { logSerializers, redactedPaths } from './http/logger.ts';
import { createLogDestination, type LogDestination } from './log-destination.ts';

export type AppLogger = Logger;

/**
 * The one logger of the process, built before anything else so no start-up diagnostic is lost:
 * background work logs through it, and Fastify takes it as its `loggerInstance`, so request
 * logs and the rest share its redaction rules. Lines go to `stream` when given (tests capture
 * them), else to standard output through a destination that never holds up exit.
 */
export function createLogger(level: string, stream?: NodeJS.WritableStream): { logger: AppLogger; flush(timeoutMs: number): Promise<boolean> } {
  const destination: LogDestination | NodeJS.WritableStream = stream ?? createLogDestination(1);
  const logger = pino(
    {
      level,
      redact: { paths: redactedPaths, censor: '[REDACTED]' },
      serializers: {
        ...logSerializers,
        err: pino.stdSerializers.err,
      },
    },
    destination as pino.DestinationStream,
  );
  return {
    logger,
    flush: (timeoutMs) => (stream ? Promise.resolve(true) : (destination as LogDestination).flush(timeoutMs)),
  };
}
