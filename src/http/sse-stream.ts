import { once } from 'node:events';
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

  const write = async (frames: SseFrame[]) => {
    if (frames.length === 0 || raw.destroyed || raw.writableEnded) return;
    let text = '';
    for (const frame of frames) text += formatSseFrame(frame);
    if (!raw.write(text)) await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
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
      await enqueue(encoder.push(event));
      if (encoder.hasPending() && !flushTimer) {
        flushTimer = setTimeout(() => {
          flushTimer = undefined;
          void enqueue(encoder.flush());
        }, coalesceMs);
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
