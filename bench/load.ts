import { Pool, type Dispatcher } from 'undici';
import WebSocket from 'ws';

/** One request a benchmark sends: path, headers and a JSON body. */
export interface RequestShape {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface LoadResult {
  completed: number;
  errors: number;
  firstError?: string;
  latenciesMs: number[];
  elapsedMs: number;
}

/** A client pool to one server; pipelining 1, as many connections as asked. */
export function clientPool(origin: string, connections: number): Pool {
  return new Pool(origin, { pipelining: 1, connections, keepAliveTimeout: 60_000, headersTimeout: 120_000, bodyTimeout: 120_000 });
}

function recordError(result: LoadResult, message: string): void {
  result.errors += 1;
  result.firstError ??= message;
}

/** Sends one non-streamed request and reads the whole answer; throws on a non-200. */
export async function sendOnce(dispatcher: Dispatcher, shape: RequestShape): Promise<string> {
  const answer = await dispatcher.request({
    path: shape.path,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...shape.headers },
    body: JSON.stringify(shape.body),
  });
  const text = await answer.body.text();
  if (answer.statusCode !== 200) throw new Error(`${answer.statusCode}: ${text.slice(0, 300)}`);
  return text;
}

async function timedSend(dispatcher: Dispatcher, shape: RequestShape, result: LoadResult): Promise<void> {
  const started = performance.now();
  try {
    await sendOnce(dispatcher, shape);
    result.latenciesMs.push(performance.now() - started);
    result.completed += 1;
  } catch (error) {
    recordError(result, (error as Error).message);
  }
}

const emptyResult = (): LoadResult => ({ completed: 0, errors: 0, latenciesMs: [], elapsedMs: 0 });

/** `concurrency` workers send back to back until `count` requests are sent or `durationMs` passes. */
export async function closedLoop(
  dispatcher: Dispatcher,
  next: (index: number) => RequestShape,
  options: { concurrency: number; count?: number; durationMs?: number },
): Promise<LoadResult> {
  const result = emptyResult();
  const started = performance.now();
  const stopAt = options.durationMs === undefined ? Infinity : started + options.durationMs;
  let issued = 0;
  const worker = async () => {
    while ((options.count === undefined || issued < options.count) && performance.now() < stopAt) {
      const index = issued;
      issued += 1;
      await timedSend(dispatcher, next(index), result);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  result.elapsedMs = performance.now() - started;
  return result;
}

/** Open loop: `ratePerSecond` requests started on a fixed schedule for `durationMs`, however slow the answers. */
export async function fixedRate(
  dispatcher: Dispatcher,
  next: (index: number) => RequestShape,
  options: { ratePerSecond: number; durationMs: number },
): Promise<LoadResult> {
  const result = emptyResult();
  const started = performance.now();
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const pending: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / options.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(timedSend(dispatcher, next(index), result));
  }
  await Promise.all(pending);
  result.elapsedMs = performance.now() - started;
  return result;
}

export interface StreamOutcome {
  /** Request start to the first answer token ("w0 ") arriving, in ms. */
  firstTokenMs: number;
  totalMs: number;
  /** The last token and the stream's end both arrived. */
  complete: boolean;
  bytes: number;
}

/**
 * Streams one answer. `lastToken` is the text the answer must contain to count as complete;
 * `endMarker` what its last frame carries (`[DONE]`, `"done"`). `onFirstToken` fires once, so
 * callers can hold many streams open and know when each is flowing.
 */
export async function streamOnce(
  dispatcher: Dispatcher,
  shape: RequestShape,
  expect: { lastToken: string; endMarker: string },
  options: { signal?: AbortSignal; onFirstToken?: () => void } = {},
): Promise<StreamOutcome> {
  const started = performance.now();
  let firstTokenMs = Number.NaN;
  let bytes = 0;
  let text = '';
  const answer = await dispatcher.request({
    path: shape.path,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...shape.headers },
    body: JSON.stringify(shape.body),
    signal: options.signal,
  });
  if (answer.statusCode !== 200) throw new Error(`${answer.statusCode}: ${(await answer.body.text()).slice(0, 300)}`);
  answer.body.setEncoding('utf8');
  for await (const part of answer.body as AsyncIterable<string>) {
    bytes += part.length;
    // Keep only a tail: enough to find markers split across reads without holding the whole answer.
    text = (text + part).slice(-4096);
    if (Number.isNaN(firstTokenMs) && text.includes('w0 ')) {
      firstTokenMs = performance.now() - started;
      options.onFirstToken?.();
    }
  }
  const complete = text.includes(expect.lastToken) && text.includes(expect.endMarker);
  return { firstTokenMs, totalMs: performance.now() - started, complete, bytes };
}

/** A WebSocket chat client (StellarByte frames). */
export function openChatSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('no session_start within 30 s')), 30_000);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('message', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** Sends one chat.message and waits for message_stop; times the first token. */
export function socketTurn(socket: WebSocket, content: string, model: string, lastToken: string): Promise<StreamOutcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstTokenMs = Number.NaN;
    let bytes = 0;
    let sawLast = false;
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      bytes += text.length;
      if (Number.isNaN(firstTokenMs) && text.includes('w0 ')) firstTokenMs = performance.now() - started;
      if (text.includes(lastToken)) sawLast = true;
      if (text.includes('"message_stop"')) {
        socket.off('message', onMessage);
        resolve({ firstTokenMs, totalMs: performance.now() - started, complete: sawLast, bytes });
      }
    };
    socket.on('message', onMessage);
    socket.once('close', () => reject(new Error('socket closed during a turn')));
    socket.send(JSON.stringify({ type: 'chat.message', content, model }));
  });
}
