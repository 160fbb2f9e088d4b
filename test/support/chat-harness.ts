import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DependencyOptions } from '../../src/dependencies.ts';
import type { Database } from '../../src/storage/database.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream/index.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from './test-app.ts';

/** One parsed SSE frame. */
export interface ReceivedFrame {
  id?: string;
  event?: string;
  data: any;
}

/** Settings that keep engine tests quick: loopback upstreams allowed, short flushes and backoffs. */
export const chatTestEnvironment = (overrides: Record<string, string> = {}) => ({
  COLLOQUY_OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
  COLLOQUY_FLUSH_INTERVAL_MS: '50',
  COLLOQUY_UPSTREAM_RETRY_BASE_DELAY_MS: '10',
  COLLOQUY_UPSTREAM_IDLE_TIMEOUT_MS: '2000',
  ...overrides,
});

export const providerSecret = 'sk-upstream-secret-0123456789abcdef';

export interface ChatHarness extends TestApp {
  fake: FakeUpstream;
  baseUrl: string;
  user: { id: string; token: string };
  providerId: string;
  /** A new conversation of the user's, on the fake provider. */
  newConversation(fields?: Record<string, unknown>): Promise<string>;
}

/** A listening app, a fake upstream, a user, and an OpenAI-compatible provider of theirs pointing at it. */
export async function startChatHarness(
  database: Database,
  options: { env?: Record<string, string>; dependencies?: DependencyOptions; providerType?: string } = {},
): Promise<ChatHarness> {
  const fake = await startFakeUpstream();
  const test = await createTestApp(database, { env: chatTestEnvironment(options.env), dependencies: options.dependencies });
  await test.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = test.app.server.address() as AddressInfo;
  const signed = await signUp(test.app);
  const user = { id: signed.id, token: signed.token };
  const type = options.providerType ?? 'openai';
  const baseUrl = type === 'anthropic' ? fake.anthropicBaseUrl : type === 'google' ? fake.googleBaseUrl : fake.openaiBaseUrl;
  const provider = await test.app.inject({
    method: 'POST', url: '/api/providers', headers: bearer(user.token),
    payload: { name: `Fake ${type}`, provider_type: type, base_url: baseUrl, api_key: providerSecret, default_model: 'fake-model', is_default: true },
  });
  if (provider.statusCode !== 200) throw new Error(`provider creation failed: ${provider.body}`);
  const providerId = json(provider).data.id as string;
  return {
    ...test,
    fake,
    baseUrl: `http://127.0.0.1:${port}`,
    user,
    providerId,
    async newConversation(fields = {}) {
      const response = await test.app.inject({ method: 'POST', url: '/api/conversations', headers: bearer(user.token), payload: { title: 'Test', ...fields } });
      if (response.statusCode !== 200) throw new Error(`conversation creation failed: ${response.body}`);
      return json(response).data.id as string;
    },
    async close() {
      await test.close();
      await fake.close();
    },
  };
}

function parseFrame(block: string): ReceivedFrame | undefined {
  const frame: ReceivedFrame = { data: undefined };
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') frame.id = value;
    else if (field === 'event') frame.event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  const text = data.join('\n');
  try {
    frame.data = JSON.parse(text);
  } catch {
    frame.data = text;
  }
  return frame;
}

export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  frames: ReceivedFrame[];
  /** Resolves when a frame matching `predicate` has arrived. */
  waitFor(predicate: (frame: ReceivedFrame) => boolean): Promise<ReceivedFrame>;
  /** Resolves with every frame when the server ends the stream. */
  ended: Promise<ReceivedFrame[]>;
  /** Drops the connection, as a client that dies would. */
  destroy(): void;
  body(): string;
}

/** A bare SSE client over node:http, so a test can kill the connection whenever it likes. */
export function openSse(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown },
): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const request = http.request(url, {
      method: options.method ?? 'POST',
      headers: { accept: 'text/event-stream', ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const frames: ReceivedFrame[] = [];
      const waiters: Array<{ predicate: (frame: ReceivedFrame) => boolean; resolve: (frame: ReceivedFrame) => void }> = [];
      let raw = '';
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const frame = parseFrame(buffer.slice(0, boundary));
          buffer = buffer.slice(boundary + 2);
          if (!frame) continue;
          frames.push(frame);
          for (const waiter of [...waiters]) {
            if (waiter.predicate(frame)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(frame);
            }
          }
        }
      });
      const ended = new Promise<ReceivedFrame[]>((done) => {
        response.on('end', () => done(frames));
        response.on('close', () => done(frames));
        response.on('error', () => done(frames));
      });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        frames,
        ended,
        body: () => raw,
        waitFor(predicate) {
          const seen = frames.find(predicate);
          if (seen) return Promise.resolve(seen);
          return new Promise((done) => waiters.push({ predicate, resolve: done }));
        },
        destroy: () => request.destroy(),
      });
    });
    request.end(payload);
  });
}

/** What a Luxx client shows after these frames: steps replaced by id, in order. */
export function renderSteps(frames: ReceivedFrame[]): unknown[] {
  const steps = new Map<string, unknown>();
  for (const frame of frames) {
    if (frame.event === 'process_step') steps.set(frame.data.step.id, frame.data.step);
  }
  return [...steps.values()];
}
