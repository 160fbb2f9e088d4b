import type { IncomingMessage } from 'node:http';

/**
 * The most of a refused body that is read and thrown away so the client can read its 413, and
 * how long that may take. A client still sending past either gets the 413 and the connection
 * closed (then most clients report a reset instead).
 */
export const discardLimitBytes = 64 * 1024 * 1024;
export const discardTimeLimitMs = 10_000;

/**
 * Reads and discards what is left of a request body that was refused before it had all arrived.
 * Answering while the client is still sending makes node close the socket under it: the client
 * then fails writing (EPIPE, ECONNRESET) and never reads the answer that names the limit.
 * Resolves once the body has ended, or the byte or time bound is reached (then `false`).
 */
export function discardRestOfBody(
  raw: IncomingMessage,
  limits: { maxBytes: number; timeoutMs: number } = { maxBytes: discardLimitBytes, timeoutMs: discardTimeLimitMs },
): Promise<boolean> {
  if (raw.complete || raw.readableEnded || raw.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    let discarded = 0;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      raw.removeListener('data', onData);
      raw.removeListener('end', onEnd);
      raw.removeListener('close', onEnd);
      raw.removeListener('error', onEnd);
      if (!drained) raw.pause();
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limits.maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const timer = setTimeout(() => finish(false), limits.timeoutMs);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('close', onEnd);
    raw.once('error', onEnd);
    raw.resume();
  });
}
