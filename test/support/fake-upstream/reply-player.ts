import type { ServerResponse } from 'node:http';
import { defaultFinishReason, type FakeAnswer, type FakeContentPart, type FakeReply } from './fake-reply.ts';
import type { WireEncoder } from './wire-format.ts';

export interface PlayContext {
  response: ServerResponse;
  encoder: WireEncoder;
  /** Whether the client asked for a stream; the same script then plays as one JSON body. */
  isStreamed: boolean;
  /** Fires when the client has left or the fake is closing; playing stops there. */
  ended: AbortSignal;
  /** Destroys the connection on purpose, so it is not recorded as the client leaving. */
  destroyConnection(): void;
  /** The credential the request carried, put where a scripted text says `{credential}`. */
  credential: string;
}

/** Put in a scripted error message or body: the fake echoes the credential it received there, as some providers do. */
export const echoedCredential = '{credential}';

const echo = (text: string, context: PlayContext): string => text.split(echoedCredential).join(context.credential);

/** Plays one scripted reply onto a response, in time. */
export async function playReply(reply: FakeReply, context: PlayContext): Promise<void> {
  if (!(await waitFor(reply.delayMs ?? 0, context.ended))) return;
  if (reply.type === 'drop-connection') return context.destroyConnection();
  if (reply.type === 'http-error') {
    const body = reply.body ?? context.encoder.errorBody(reply.status, echo(reply.message ?? `fake upstream: HTTP ${reply.status}`, context));
    return sendJson(context.response, reply.status, echo(typeof body === 'string' ? body : JSON.stringify(body), context), reply.headers);
  }
  return context.isStreamed ? playStream(reply, context) : playComplete(reply, context);
}

export async function waitFor(milliseconds: number, ended: AbortSignal): Promise<boolean> {
  if (ended.aborted) return false;
  if (milliseconds <= 0) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ended.removeEventListener('abort', onEnded);
      resolve(true);
    }, milliseconds);
    const onEnded = () => {
      clearTimeout(timer);
      resolve(false);
    };
    ended.addEventListener('abort', onEnded, { once: true });
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

async function playStream(reply: FakeAnswer, context: PlayContext): Promise<void> {
  const { response, encoder, ended } = context;
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.flushHeaders();
  // Destroying a socket drops what is still buffered, so a disconnect waits for the writes before it.
  let written = Promise.resolve();
  const write = (text: string) => {
    if (response.destroyed || ended.aborted) return;
    written = new Promise((resolve) => response.write(text, () => resolve()));
  };
  for (const [index, part] of reply.parts.entries()) {
    if (index > 0 && !(await waitFor(reply.partDelayMs ?? 0, ended))) return;
    switch (part.type) {
      case 'text':
      case 'reasoning':
      case 'tool-call':
        write(encoder.streamPart(part));
        break;
      case 'gate':
        await part.pass(ended);
        break;
      case 'pause':
        await waitFor(part.milliseconds, ended);
        break;
      case 'stall':
        return untilEnded(ended);
      case 'disconnect':
        await Promise.race([written, untilEnded(ended)]);
        return context.destroyConnection();
      case 'garbage-line':
        write(`${echo(part.line, context)}\n\n`);
        break;
      case 'invalid-json':
        write(encoder.invalidJsonEvent());
        break;
      case 'stream-error':
        write(encoder.streamError(echo(part.message, context)));
        return void response.end();
      case 'end-without-finish':
        return void response.end();
    }
    if (ended.aborted) return;
  }
  write(encoder.streamEnd({ finishReason: defaultFinishReason(reply), usage: reply.usage, includeTerminator: reply.omitTerminator !== true }));
  if (!response.destroyed) response.end();
}

/** A non-streamed answer: content collects into one body; faults act on the response as a whole. */
async function playComplete(reply: FakeAnswer, context: PlayContext): Promise<void> {
  const { response, encoder, ended } = context;
  const content: FakeContentPart[] = [];
  const body = () => JSON.stringify(encoder.completeBody(content, defaultFinishReason(reply), reply.usage));
  for (const [index, part] of reply.parts.entries()) {
    if (index > 0 && !(await waitFor(reply.partDelayMs ?? 0, ended))) return;
    switch (part.type) {
      case 'text':
      case 'reasoning':
      case 'tool-call':
        content.push(part);
        break;
      case 'gate':
        await part.pass(ended);
        break;
      case 'pause':
        await waitFor(part.milliseconds, ended);
        break;
      case 'stall':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.flushHeaders();
        return untilEnded(ended);
      case 'disconnect':
        return context.destroyConnection();
      case 'garbage-line':
        return sendJson(response, 200, part.line);
      case 'invalid-json':
      case 'end-without-finish':
        return sendJson(response, 200, body().slice(0, -10));
      case 'stream-error':
        return sendJson(response, 500, encoder.errorBody(500, echo(part.message, context)));
    }
    if (ended.aborted) return;
  }
  if (!response.destroyed) sendJson(response, 200, body());
}

function untilEnded(ended: AbortSignal): Promise<void> {
  if (ended.aborted) return Promise.resolve();
  return new Promise((resolve) => ended.addEventListener('abort', () => resolve(), { once: true }));
}
