import { write as writeToFile } from 'node:fs';

/** Where the server's log lines go when no stream is given: standard output, never blocking exit. */
export interface LogDestination {
  write(line: string): void;
  /** Waits until every line written so far is out, at most `timeoutMs`; false if some were not. */
  flush(timeoutMs: number): Promise<boolean>;
}

const retryAfterMs = 20;

/**
 * Writes lines to a file descriptor (stdout by default) in the background, one batch at a time.
 * pino's own destination flushes synchronously on exit and retries forever when the reader of
 * a pipe has stopped reading (EAGAIN) or gone (EPIPE), so a server told to stop never exited.
 * Here a full pipe is retried on a timer that keeps nothing alive, a broken one ends logging, at
 * most `maxBufferedBytes` wait (later lines are dropped and counted), and the final flush is
 * bounded by the caller.
 */
export function createLogDestination(fd = 1, options: { maxBufferedBytes?: number } = {}): LogDestination & { dropped(): number } {
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  let queue: Buffer[] = [];
  let queuedBytes = 0;
  let writing = false;
  let broken = false;
  let dropped = 0;
  let waiters: Array<() => void> = [];

  const settleWaiters = () => {
    if (writing || queuedBytes > 0) return;
    const current = waiters;
    waiters = [];
    for (const resolve of current) resolve();
  };

  const pump = () => {
    if (writing || broken || queuedBytes === 0) return settleWaiters();
    writing = true;
    const batch = queue.length === 1 ? queue[0]! : Buffer.concat(queue);
    queue = [];
    queuedBytes = 0;
    writeToFile(fd, batch, 0, batch.length, null, (error, written) => {
      writing = false;
      if (error && (error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK')) {
        queue.unshift(batch);
        queuedBytes += batch.length;
        setTimeout(pump, retryAfterMs).unref();
        return;
      }
      if (error) {
        // EPIPE (the reader has gone) or a failing descriptor: nothing will be read again.
        broken = true;
        queue = [];
        queuedBytes = 0;
        return settleWaiters();
      }
      if (written < batch.length) {
        queue.unshift(batch.subarray(written));
        queuedBytes += batch.length - written;
      }
      pump();
    });
  };

  return {
    write(line) {
      if (broken) return;
      const bytes = Buffer.from(line);
      if (queuedBytes + bytes.length > maxBufferedBytes) {
        dropped += 1;
        return;
      }
      queue.push(bytes);
      queuedBytes += bytes.length;
      pump();
    },
    flush(timeoutMs) {
      if (broken || (!writing && queuedBytes === 0)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    dropped: () => dropped,
  };
}
