import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicModelList, createAnthropicEncoder } from './anthropic-format.ts';
import { createGate, type FakeGate, type FakeHttpError, type FakeReply } from './fake-reply.ts';
import { createGoogleEncoder, googleModelList } from './google-format.ts';
import { ollamaTags, playPull, type FakePullBehavior } from './ollama-format.ts';
import { createOpenAIEncoder, openAIModelList } from './openai-format.ts';
import { echoedCredential, playReply, sendJson, waitFor } from './reply-player.ts';
import { routeRequest, type FakeRequestKind, type FakeWireFormat } from './request-route.ts';
import type { EncoderContext, WireEncoder } from './wire-format.ts';

export interface RecordedRequest {
  format: FakeWireFormat;
  kind: FakeRequestKind;
  method: string;
  /** The path without its query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names, as node gives them. */
  headers: Record<string, string>;
  /** The parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  model: string | undefined;
  isStream: boolean;
  /** Set when the client closed the connection before the reply ended (not when the script dropped it). */
  clientClosedEarly: boolean;
}

export interface FakeUpstream {
  url: string;
  /** OpenAI chat completions, OpenAI-compatible vendors and Ollama's /v1. */
  openaiBaseUrl: string;
  /** What @ai-sdk/anthropic's `baseURL` expects. */
  anthropicBaseUrl: string;
  /** What @ai-sdk/google's `baseURL` expects. */
  googleBaseUrl: string;
  /** What the model lists and Ollama's `/api/tags` return; a successful pull adds its model. */
  models: string[];
  /** When set, every model-list request answers this error instead. */
  modelListError: FakeHttpError | undefined;
  /** How `POST /api/pull` behaves. */
  pull: FakePullBehavior;
  /** Queues replies; each model request, in any format, takes the next one; an empty queue answers 500. */
  script(...replies: FakeReply[]): void;
  /** Replies scripted and not yet taken. */
  readonly pendingReplies: number;
  /** Every request received, model lists and pulls included, in arrival order. */
  requests: RecordedRequest[];
  /** The model (chat) requests among `requests`. */
  readonly chatRequests: RecordedRequest[];
  /** Resolves when this many model (chat) requests have arrived. */
  waitForRequests(count: number): Promise<void>;
  /** Resolves when the client has closed request `requests[index]` before its reply finished; rejects if the reply finished instead. */
  waitForClientClose(index: number): Promise<void>;
  /** A gate to put in an answer's parts: the reply holds there until `release()`. */
  gate(): FakeGate;
  /** Releases every stalled or held reply and closes the server. */
  close(): Promise<void>;
}

const noReplyMessage = 'fake upstream: no reply scripted';

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const fake = new FakeUpstreamServer();
  await fake.listen();
  return fake;
}

class FakeUpstreamServer implements FakeUpstream {
  url = '';
  openaiBaseUrl = '';
  anthropicBaseUrl = '';
  googleBaseUrl = '';
  models = ['fake-model'];
  modelListError: FakeHttpError | undefined = undefined;
  pull: FakePullBehavior = {};
  requests: RecordedRequest[] = [];
  private readonly replies: FakeReply[] = [];
  private readonly server: Server = createServer((request, response) => this.handle(request, response));
  private readonly outcomes = new Map<RecordedRequest, 'client-closed' | 'finished'>();
  private readonly listeners = new Set<() => void>();
  private isClosing = false;
  private sequence = 0;

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.openaiBaseUrl = `${this.url}/v1`;
    this.anthropicBaseUrl = `${this.url}/v1`;
    this.googleBaseUrl = `${this.url}/v1beta`;
  }

  script(...replies: FakeReply[]): void {
    this.replies.push(...replies);
  }

  get pendingReplies(): number {
    return this.replies.length;
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.kind === 'chat');
  }

  gate(): FakeGate {
    return createGate();
  }

  waitForRequests(count: number): Promise<void> {
    return this.waitUntil(() => this.chatRequests.length >= count, () => `${this.chatRequests.length} of ${count} model requests arrived`);
  }

  waitForClientClose(index: number): Promise<void> {
    return this.waitUntil(
      () => {
        const request = this.requests[index];
        const outcome = request === undefined ? undefined : this.outcomes.get(request);
        if (outcome === 'finished') throw new Error(`fake upstream: request #${index} finished without the client closing it early`);
        return outcome === 'client-closed';
      },
      () => `request #${index} was not closed by the client`,
    );
  }

  async close(): Promise<void> {
    this.isClosing = true;
    for (const listener of this.listeners) listener();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Stalled and held replies end with their connections; their players then stop.
      this.server.closeAllConnections();
    });
  }

  /** Resolves once `isDone` holds, checked on every request event; rejects if it throws or the fake closes first. */
  private waitUntil(isDone: () => boolean, describe: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        try {
          if (isDone()) {
            this.listeners.delete(check);
            resolve();
          } else if (this.isClosing) {
            this.listeners.delete(check);
            reject(new Error(`fake upstream closed while waiting: ${describe()}`));
          }
        } catch (error) {
          this.listeners.delete(check);
          reject(error);
        }
      };
      this.listeners.add(check);
      check();
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.answer(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { error: { message: `fake upstream failed: ${String(error)}` } });
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = parseBody(await readBody(request));
    const url = new URL(request.url ?? '/', this.url);
    const method = request.method ?? 'GET';
    const route = routeRequest(method, url.pathname, request.headers, body);
    const record: RecordedRequest = {
      ...route,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')])),
      body,
      clientClosedEarly: false,
    };
    const ended = new AbortController();
    let isDroppedOnPurpose = false;
    response.on('close', () => {
      const closedEarly = !response.writableFinished && !isDroppedOnPurpose && !this.isClosing;
      record.clientClosedEarly = closedEarly;
      this.outcomes.set(record, closedEarly ? 'client-closed' : 'finished');
      ended.abort();
      this.notify();
    });
    this.requests.push(record);
    this.notify();

    if (route.kind === 'chat') {
      const reply = this.replies.shift();
      const usage = reply?.type === 'answer' ? reply.usage : undefined;
      const encoder = this.encoderFor(route.format, { model: route.model ?? '', requestBody: body, usage, sequence: ++this.sequence });
      if (reply === undefined) return sendJson(response, 500, encoder.errorBody(500, noReplyMessage));
      if (route.format === 'google' && route.isStream && url.searchParams.get('alt') !== 'sse') {
        this.replies.unshift(reply);
        return sendJson(response, 400, encoder.errorBody(400, 'fake upstream: only alt=sse streaming is supported'));
      }
      const destroyConnection = () => {
        isDroppedOnPurpose = true;
        response.socket?.destroy();
        response.destroy();
      };
      return playReply(reply, { response, encoder, isStreamed: route.isStream, ended: ended.signal, destroyConnection, credential: credentialOf(record.headers) });
    }
    if (route.kind === 'models') return this.answerModelList(route.format, response, credentialOf(record.headers));
    if (route.kind === 'pull') {
      const isSuccess = await playPull(response, body, this.pull, (milliseconds) => waitFor(milliseconds, ended.signal));
      if (isSuccess && route.model !== undefined && !this.models.includes(route.model)) this.models.push(route.model);
      return;
    }
    sendJson(response, 404, { error: { message: `fake upstream: no route for ${method} ${url.pathname}` } });
  }

  private answerModelList(format: FakeWireFormat, response: ServerResponse, credential: string): void {
    if (this.modelListError !== undefined) {
      const { status, headers, message, body } = this.modelListError;
      const errorBody = body ?? (format === 'ollama' ? { error: message ?? `fake upstream: HTTP ${status}` } : this.encoderFor(format, emptyContext).errorBody(status, message ?? `fake upstream: HTTP ${status}`));
      const text = (typeof errorBody === 'string' ? errorBody : JSON.stringify(errorBody)).split(echoedCredential).join(credential);
      return sendJson(response, status, text, headers);
    }
    const lists: Record<FakeWireFormat, (models: string[]) => unknown> = {
      openai: openAIModelList,
      anthropic: anthropicModelList,
      google: googleModelList,
      ollama: ollamaTags,
      unknown: openAIModelList,
    };
    sendJson(response, 200, lists[format](this.models));
  }

  private encoderFor(format: FakeWireFormat, context: EncoderContext): WireEncoder {
    if (format === 'anthropic') return createAnthropicEncoder(context);
    if (format === 'google') return createGoogleEncoder(context);
    return createOpenAIEncoder(context);
  }
}

/** What the request authenticated with, as it was sent (`Bearer …` included). */
function credentialOf(headers: Record<string, string>): string {
  return headers.authorization || headers['x-api-key'] || headers['x-goog-api-key'] || headers['api-key'] || '(no credential)';
}

const emptyContext: EncoderContext = { model: '', requestBody: undefined, usage: undefined, sequence: 0 };

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
