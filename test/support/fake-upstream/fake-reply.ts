/**
 * What the fake upstream answers to one model request, whatever wire format the request came in.
 *
 * A reply is one of:
 * - `answer(parts, options)`: a 200 answer. Streamed when the client asked for a stream (OpenAI and
 *   Anthropic `stream: true`, Google `:streamGenerateContent`), one JSON body otherwise. Its parts
 *   play in order, in time: content parts (`text`, `reasoning`, `toolCall`) become chunks, and
 *   control parts (`pause`, gates, `stall`, `disconnect`, `garbageLine`, `invalidJson`,
 *   `streamError`, `endWithoutFinish`) act at that point of the stream.
 * - `httpError(status, options)`: an error status with headers and a body in the format's own error
 *   shape (OpenAI `{error:{message,type,code}}`, Anthropic `{type:'error',error:{type,message}}`,
 *   Google `{error:{code,message,status}}`), or a verbatim body.
 * - `dropConnection()`: the socket is destroyed before any byte of the response.
 *
 * Every reply takes `delayMs` (before the first byte); an answer also takes `partDelayMs` (between
 * parts), `usage` (omit it for an answer without usage), `finishReason` (default `tool_calls` when
 * the answer calls a tool, else `stop`) and `omitTerminator` (finish and usage are sent, the final
 * `data: [DONE]` / `message_stop` is not).
 *
 * @example
 * fake.script(
 *   answer([reasoning('Thinking.'), text('Hello'), text(' world')], { usage: { promptTokens: 9, completionTokens: 4, reasoningTokens: 2 } }),
 *   answer([toolCall('get_weather', { city: 'Paris' }, { id: 'call_1', pieces: 3 })]),
 *   httpError(429, { headers: { 'retry-after': '1' } }),
 * );
 */
export type FakeReply = FakeAnswer | FakeHttpError | FakeDroppedConnection;

export type FakeFinishReason = 'stop' | 'length' | 'tool_calls';

export interface FakeUsage {
  promptTokens: number;
  /** Every generated token, reasoning included (OpenAI's `completion_tokens`). */
  completionTokens: number;
  /** The part of `completionTokens` spent on reasoning. */
  reasoningTokens?: number;
}

export interface FakeAnswer {
  type: 'answer';
  parts: FakePart[];
  usage?: FakeUsage;
  finishReason?: FakeFinishReason;
  delayMs?: number;
  partDelayMs?: number;
  omitTerminator?: boolean;
}

export interface FakeHttpError {
  type: 'http-error';
  status: number;
  headers?: Record<string, string>;
  /** Put into the format's own error shape; defaults to `fake upstream: HTTP <status>`. */
  message?: string;
  /** Sent verbatim instead of the format's error shape (objects as JSON). */
  body?: string | object;
  delayMs?: number;
}

export interface FakeDroppedConnection {
  type: 'drop-connection';
  delayMs?: number;
}

export type FakeContentPart = FakeTextPart | FakeReasoningPart | FakeToolCallPart;
export type FakePart =
  | FakeContentPart
  | FakeGate
  | { type: 'pause'; milliseconds: number }
  | { type: 'stall' }
  | { type: 'disconnect' }
  | { type: 'garbage-line'; line: string }
  | { type: 'invalid-json' }
  | { type: 'stream-error'; message: string }
  | { type: 'end-without-finish' };

export interface FakeTextPart {
  type: 'text';
  text: string;
}

export interface FakeReasoningPart {
  type: 'reasoning';
  text: string;
}

export interface FakeToolCallPart {
  type: 'tool-call';
  /** Sent as is in every format; when absent OpenAI and Anthropic get a generated id and Google none, as Gemini does. */
  id?: string;
  name: string;
  /** The arguments JSON text, in the pieces it is streamed in (one piece unless split). */
  argumentPieces: string[];
}

/** Holds a reply at its place in `parts` until `release()`; `reached` resolves when a reply gets there. */
export interface FakeGate {
  type: 'gate';
  readonly reached: Promise<void>;
  readonly isReleased: boolean;
  release(): void;
  /** Used by the fake: marks the gate reached and resolves once released or once `abandon` fires. */
  pass(abandon: AbortSignal): Promise<void>;
}

export interface AnswerOptions {
  usage?: FakeUsage;
  finishReason?: FakeFinishReason;
  delayMs?: number;
  partDelayMs?: number;
  omitTerminator?: boolean;
}

export function answer(parts: FakePart[], options: AnswerOptions = {}): FakeAnswer {
  return { type: 'answer', parts, ...options };
}

export function text(value: string): FakeTextPart {
  return { type: 'text', text: value };
}

export function reasoning(value: string): FakeReasoningPart {
  return { type: 'reasoning', text: value };
}

/**
 * A tool call. `input` is an object or its JSON text; `pieces` splits the JSON text into that many
 * stream chunks (or gives the pieces). Google always receives the call whole, as Gemini sends it.
 */
export function toolCall(
  name: string,
  input: object | string,
  options: { id?: string; pieces?: number | string[] } = {},
): FakeToolCallPart {
  const json = typeof input === 'string' ? input : JSON.stringify(input);
  const argumentPieces = Array.isArray(options.pieces) ? options.pieces : splitText(json, options.pieces ?? 1);
  if (argumentPieces.join('') !== json) throw new Error('fake upstream: tool call pieces must join into the input JSON');
  return { type: 'tool-call', ...(options.id === undefined ? {} : { id: options.id }), name, argumentPieces };
}

/** Waits this long at this point of the reply (after the response headers, unlike `delayMs`). */
export function pause(milliseconds: number): FakePart {
  return { type: 'pause', milliseconds };
}

/** Sends nothing more (headers are already out) until the client leaves or the fake closes. */
export function stall(): FakePart {
  return { type: 'stall' };
}

/** Destroys the connection here, mid-stream (or before any byte of a non-streamed answer). */
export function disconnect(): FakePart {
  return { type: 'disconnect' };
}

/** Writes a line that is not a server-sent event; SSE parsers skip unknown fields, so clients should too. */
export function garbageLine(line = 'this is not a server-sent event'): FakePart {
  return { type: 'garbage-line', line };
}

/** Writes a `data:` line whose JSON is cut off (a non-streamed answer gets a cut-off body). */
export function invalidJson(): FakePart {
  return { type: 'invalid-json' };
}

/** The provider's in-stream error event, then the stream ends (a non-streamed answer becomes HTTP 500). */
export function streamError(message = 'fake upstream: stream error'): FakePart {
  return { type: 'stream-error', message };
}

/** Ends the response cleanly here, without finish reason, usage or terminator. */
export function endWithoutFinish(): FakePart {
  return { type: 'end-without-finish' };
}

export function httpError(
  status: number,
  options: { headers?: Record<string, string>; message?: string; body?: string | object; delayMs?: number } = {},
): FakeHttpError {
  return { type: 'http-error', status, ...options };
}

/** 429 with `retry-after`, the way every provider rate-limits. */
export function rateLimited(retryAfterSeconds = 1): FakeHttpError {
  return httpError(429, { headers: { 'retry-after': String(retryAfterSeconds) }, message: 'fake upstream: rate limited' });
}

export function dropConnection(options: { delayMs?: number } = {}): FakeDroppedConnection {
  return { type: 'drop-connection', ...options };
}

export function createGate(): FakeGate {
  let released = false;
  let markReached!: () => void;
  let markReleased!: () => void;
  const reached = new Promise<void>((resolve) => (markReached = resolve));
  const releasedPromise = new Promise<void>((resolve) => (markReleased = resolve));
  return {
    type: 'gate',
    reached,
    get isReleased() {
      return released;
    },
    release() {
      released = true;
      markReleased();
    },
    async pass(abandon) {
      markReached();
      if (released || abandon.aborted) return;
      await new Promise<void>((resolve) => {
        const onAbandon = () => resolve();
        abandon.addEventListener('abort', onAbandon, { once: true });
        void releasedPromise.then(() => {
          abandon.removeEventListener('abort', onAbandon);
          resolve();
        });
      });
    },
  };
}

export function defaultFinishReason(reply: FakeAnswer): FakeFinishReason {
  return reply.finishReason ?? (reply.parts.some((part) => part.type === 'tool-call') ? 'tool_calls' : 'stop');
}

function splitText(value: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(value.length / Math.max(1, count)));
  const pieces: string[] = [];
  for (let start = 0; start < value.length; start += size) pieces.push(value.slice(start, start + size));
  return pieces.length > 0 ? pieces : [''];
}
