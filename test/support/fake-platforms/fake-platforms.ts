import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeDifyBlocking, writeDifyStream, type DifyConversationIds } from './dify-format.ts';
import { writeFastGptBlocking, writeFastGptStream } from './fastgpt-format.ts';

/** One scripted answer from an agent platform. */
export interface PlatformReply {
  /** The answer, in the chunks it streams as. */
  chunks: string[];
  usage?: { promptTokens: number; completionTokens: number };
  /** Dify agent apps: tool use streamed as `agent_thought` before the answer (`agent_message`). */
  thoughts?: { tool: string; toolInput: string; observation: string }[];
  /** Dify: an `error` event after the chunks instead of `message_end`. */
  streamError?: { code: string; message: string };
  /** An HTTP error instead of an answer. */
  httpError?: { status: number; code: string; message: string };
}

export interface PlatformRequest {
  platform: 'fastgpt' | 'dify';
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
}

export interface FakePlatforms {
  /** FastGPT's documented OpenAPI root (`…/api`); chat completions live at `/api/v1/chat/completions`. */
  fastgptBaseUrl: string;
  /** Dify's API root (`…/v1`): `/v1/chat-messages`, `/v1/info`. */
  difyBaseUrl: string;
  /** Every request received, in order. */
  requests: PlatformRequest[];
  /** The chat requests among them (not `/info`, `/parameters` or FastGPT's chat init). */
  readonly chatRequests: PlatformRequest[];
  /** Queues answers; each chat request, on either platform, takes the next; an empty queue answers 500. */
  script(...replies: PlatformReply[]): void;
  /** The conversation ids Dify issued, in order. */
  readonly difyConversationIds: string[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** What the fake Dify app answers to `GET /v1/parameters` (Dify's documented shape). */
export const fakeDifyParameters = {
  opening_statement: 'Hello from the fake Dify app',
  suggested_questions: [],
  suggested_questions_after_answer: { enabled: false },
  speech_to_text: { enabled: false },
  retriever_resource: { enabled: true },
  user_input_form: [{ 'text-input': { label: 'Topic', variable: 'topic', required: false, default: '' } }],
  file_upload: { image: { enabled: true, number_limits: 3, transfer_methods: ['remote_url', 'local_file'] } },
  system_parameters: { file_size_limit: 15, image_file_size_limit: 10 },
};

/** The only app id the fake FastGPT knows; any other answers 403 unAuthApp. */
export const fakeFastGptAppId = '66e29b870b24ce35330c0f08';

/** What the fake FastGPT answers to `GET /api/core/chat/init?appId=` (FastGPT's documented shape). */
export const fakeFastGptInit = {
  code: 200,
  statusText: '',
  message: '',
  data: {
    chatId: '',
    appId: fakeFastGptAppId,
    variables: {},
    app: {
      chatConfig: {
        questionGuide: true,
        variables: [{ key: 'city', label: 'City', type: 'input', required: false }],
        fileSelectConfig: { canSelectFile: true, canSelectImg: false, maxFiles: 10 },
        welcomeText: 'Welcome to the fake FastGPT app',
      },
      chatModels: ['gpt-4o-mini'],
      name: 'Fake FastGPT app',
      avatar: '/imgs/app/avatar/workflow.svg',
      intro: 'Answers questions about the fake knowledge base',
      type: 'advanced',
      pluginInputs: [],
    },
  },
};

/** Real HTTP servers on loopback speaking FastGPT's and Dify's documented chat formats, scripted per test. */
export async function startFakePlatforms(options: { apiKey?: string } = {}): Promise<FakePlatforms> {
  const requests: PlatformRequest[] = [];
  const replies: PlatformReply[] = [];
  const ids: DifyConversationIds = { issued: [] };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const platform = path.startsWith('/api/') ? 'fastgpt' : 'dify';
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value ?? '')]));
    const body = (await readJson(request)) as any;
    requests.push({ platform, method: request.method ?? 'GET', path, headers, body });
    if (options.apiKey && headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(response, 401, { code: 'unauthorized', message: 'Access token is invalid', status: 401 });
    }
    if (platform === 'dify' && request.method === 'GET' && path === '/v1/info') {
      return sendJson(response, 200, { name: 'Fake Dify app', description: '', tags: [] });
    }
    if (platform === 'dify' && request.method === 'GET' && path === '/v1/parameters') {
      return sendJson(response, 200, fakeDifyParameters);
    }
    if (platform === 'fastgpt' && request.method === 'GET' && path === '/api/core/chat/init') {
      const appId = new URL(request.url ?? '/', 'http://fake').searchParams.get('appId');
      if (appId !== fakeFastGptAppId) {
        return sendJson(response, 403, { code: 403, statusText: 'unAuthApp', message: 'You do not have permission for this app' });
      }
      return sendJson(response, 200, fakeFastGptInit);
    }
    const isFastGptChat = path === '/api/v1/chat/completions';
    const isDifyChat = path === '/v1/chat-messages';
    if (request.method !== 'POST' || (!isFastGptChat && !isDifyChat)) {
      return sendJson(response, 404, { code: 'not_found', message: `no route ${request.method} ${path}`, status: 404 });
    }
    const reply = replies.shift();
    if (!reply) return sendJson(response, 500, { code: 'internal_error', message: 'fake platforms: no reply scripted', status: 500 });
    if (reply.httpError) {
      const { status, code, message } = reply.httpError;
      return sendJson(response, status, { code, message, status });
    }
    if (isFastGptChat) {
      return body?.stream ? writeFastGptStream(response, reply, body) : writeFastGptBlocking(response, reply, body);
    }
    return body?.response_mode === 'streaming' ? writeDifyStream(response, reply, body, ids) : writeDifyBlocking(response, reply, body, ids);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { code: 'fake_failed', message: String(error), status: 500 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fastgptBaseUrl: `${url}/api`,
    difyBaseUrl: `${url}/v1`,
    requests,
    get chatRequests() {
      return requests.filter((request) => request.method === 'POST');
    },
    get difyConversationIds() {
      return ids.issued;
    },
    script: (...more) => void replies.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
