import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunEvent } from '../chat/run-log.ts';
import { formatSseFrame, type SseFrame } from '../streaming/sse-frame.ts';

/** An encoder turns run events into a wire format's frames; growing content may be held back. */
export interface StreamEncoder {
  push(event: RunEvent): SseFrame[];
  hasPending(): boolean;
  flush(): SseFrame[];
  /** Frames after the last event (e.g. OpenAI's `[DONE]`). */
  end?(): SseFrame[];
  /** Characters held back, for encoders whose frames grow (snapshots). */
  pendingSize?(): number;
}

/** Waits for a full socket buffer to drain, or the socket to close, leaving no listener behind. */
export function drained(raw: NodeJS.WritableStream & { destroyed: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      raw.off('error', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
    raw.on('error', done);
  });
}

export interface SseStreamOptions {
  /** Longest time a held-back growing frame waits. */
  coalesceMs?: number;
  heartbeatMs?: number;
  headers?: Record<string, string>;
}

/**
 * Writes a turn's events to the client as SSE, as they come. The turn does not depend on this
 * connection: when the client goes away only the reading stops, and the client can come back
 * with `Last-Event-ID`. Writes respect backpressure, and a comment line keeps idle proxies open.
 */
export async function streamSse(
  request: FastifyRequest,
  reply: FastifyReply,
  openEvents: (signal: AbortSignal) => Promise<AsyncIterable<RunEvent>>,
  encoder: StreamEncoder,
  options: SseStreamOptions = {},
): Promise<void> {
  const disconnect = new AbortController();
  // Resolve errors (not found, gone) before any byte is sent, so they get a normal error body.
  const events = await openEvents(disconnect.signal);

  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...options.headers,
  });
  raw.flushHeaders();
  const onClose = () => disconnect.abort();
  request.raw.socket?.on('close', onClose);
  raw.on('close', onClose);
  // The client may have gone while the turn was being started, before these listeners existed.
  if (raw.destroyed || request.raw.socket?.destroyed) disconnect.abort();

  const write = async (frames: SseFrame[]) => {
    if (raw.destroyed || raw.writableEnded) {
      disconnect.abort();
      return;
    }
    // One whole event per write: strict SSE parsers (StellarChat's) read each chunk as one event.
    let full = false;
    for (const frame of frames) full = !raw.write(formatSseFrame(frame)) || full;
    if (full) await drained(raw);
  };

  const coalesceMs = options.coalesceMs ?? 30;
  let flushTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const enqueue = (frames: SseFrame[]) => (writing = writing.then(() => write(frames)));
  const heartbeat = setInterval(() => {
    if (!raw.destroyed && !raw.writableEnded) raw.write(': keep-alive\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref?.();

  try {
    for await (const event of events) {
      const frames = encoder.push(event);
      if (frames.length > 0) await enqueue(frames);
      if (encoder.hasPending() && !flushTimer) {
        // Snapshot frames grow with their step; spacing them by size keeps the bytes sent linear.
        const pendingSize = encoder.pendingSize?.() ?? 0;
        flushTimer = setTimeout(() => {
          flushTimer = undefined;
          void enqueue(encoder.flush());
        }, Math.min(1000, coalesceMs * Math.ceil((pendingSize + 1) / 8192)));
      }
      if (disconnect.signal.aborted) break;
    }
    clearTimeout(flushTimer);
    await enqueue([...encoder.flush(), ...(encoder.end?.() ?? [])]);
  } catch (error) {
    if (!disconnect.signal.aborted) request.log.error({ err: error }, 'an event stream failed');
  } finally {
    clearTimeout(flushTimer);
    clearInterval(heartbeat);
    request.raw.socket?.off('close', onClose);
    if (!raw.writableEnded) raw.end();
  }
}
