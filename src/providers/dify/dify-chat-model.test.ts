import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { startFakePlatforms, type FakePlatforms } from '../../../test/support/fake-platforms/fake-platforms.ts';
import { createTestOutboundHttp } from '../test-support/test-outbound-http.ts';
import { DifyChatModel } from './dify-chat-model.ts';
import type { PlatformConversationStore } from './platform-conversation-store.ts';

const apiKey = 'app-dify-key-0123456789';
const http = createTestOutboundHttp({ allowHosts: ['127.0.0.1'] });

function memoryStore(): PlatformConversationStore & { rows: Map<string, string> } {
  const rows = new Map<string, string>();
  return {
    rows,
    find: async (conversationId, providerId) => rows.get(`${conversationId}/${providerId}`),
    save: async (conversationId, providerId, externalId) => void rows.set(`${conversationId}/${providerId}`, externalId),
  };
}

const prompt = (question: string) => [
  { role: 'system' as const, content: 'ignored by Dify' },
  { role: 'user' as const, content: [{ type: 'text' as const, text: 'an earlier question' }] },
  { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'an earlier answer' }] },
  { role: 'user' as const, content: [{ type: 'text' as const, text: question }] },
];

const turn = (conversationId: string, extra: Record<string, any> = {}) => ({
  colloquy: { conversationId, userId: 'user-1', turnId: 'turn-1' },
  ...extra,
});

async function collect(stream: ReadableStream<LanguageModelV3StreamPart>): Promise<LanguageModelV3StreamPart[]> {
  const parts: LanguageModelV3StreamPart[] = [];
  for await (const part of stream as unknown as AsyncIterable<LanguageModelV3StreamPart>) parts.push(part);
  return parts;
}

describe('Dify chat model', () => {
  let platforms: FakePlatforms;
  let store: ReturnType<typeof memoryStore>;
  let model: DifyChatModel;
  before(async () => {
    platforms = await startFakePlatforms({ apiKey });
  });
  after(() => platforms.close());
  beforeEach(() => {
    platforms.requests.length = 0;
    store = memoryStore();
    model = new DifyChatModel({ providerId: 'provider-dify', baseUrl: platforms.difyBaseUrl, apiKey, modelId: 'dify-app', fetch: http.fetchWith({}), conversations: store });
  });

  it('streams an answer, sends only the newest question, and keeps the conversation id for the next turn', async () => {
    platforms.script({ chunks: ['Hel', 'lo'], usage: { promptTokens: 7, completionTokens: 2 } }, { chunks: ['Again'] });
    const first = await model.doStream({ prompt: prompt('first question'), providerOptions: turn('ours-1', { dify: { inputs: { lang: 'en' } } }) });
    const parts = await collect(first.stream);
    const text = parts.filter((part) => part.type === 'text-delta').map((part) => (part as { delta: string }).delta);
    assert.deepEqual(text, ['Hel', 'lo']);
    const finish = parts.at(-1) as Extract<LanguageModelV3StreamPart, { type: 'finish' }>;
    assert.equal(finish.type, 'finish');
    assert.equal(finish.usage.inputTokens.total, 7);
    assert.equal(finish.usage.outputTokens.total, 2);

    const [request] = platforms.chatRequests;
    assert.equal(request!.path, '/v1/chat-messages');
    assert.equal(request!.headers.authorization, `Bearer ${apiKey}`);
    assert.deepEqual(request!.body, { inputs: { lang: 'en' }, query: 'first question', response_mode: 'streaming', conversation_id: '', user: 'user-1' });
    assert.equal(store.rows.get('ours-1/provider-dify'), 'dify-conversation-1');

    await collect((await model.doStream({ prompt: prompt('second question'), providerOptions: turn('ours-1') })).stream);
    assert.equal(platforms.chatRequests[1]!.body.conversation_id, 'dify-conversation-1');
    assert.equal(platforms.chatRequests[1]!.body.query, 'second question');
    assert.deepEqual(platforms.difyConversationIds, ['dify-conversation-1']);
  });

  it('answers blocking calls, mapping the conversation the same way', async () => {
    platforms.script({ chunks: ['Blocking ', 'answer'], usage: { promptTokens: 3, completionTokens: 2 } }, { chunks: ['Second'] });
    const result = await model.doGenerate({ prompt: prompt('q'), providerOptions: turn('ours-2') });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Blocking answer' }]);
    assert.equal(result.usage.inputTokens.total, 3);
    assert.equal(platforms.chatRequests[0]!.body.response_mode, 'blocking');
    assert.equal(store.rows.get('ours-2/provider-dify'), 'dify-conversation-2');
    await model.doGenerate({ prompt: prompt('q2'), providerOptions: turn('ours-2') });
    assert.equal(platforms.chatRequests[1]!.body.conversation_id, 'dify-conversation-2');
  });

  it('delivers a blocking answer through doStream when the call asks for blocking mode', async () => {
    platforms.script({ chunks: ['whole'] });
    const parts = await collect((await model.doStream({ prompt: prompt('q'), providerOptions: turn('ours-3', { dify: { responseMode: 'blocking' } }) })).stream);
    assert.equal(platforms.chatRequests[0]!.body.response_mode, 'blocking');
    assert.deepEqual(parts.filter((part) => part.type === 'text-delta').map((part) => (part as { delta: string }).delta), ['whole']);
  });

  it("turns an agent's tool use into progress (reasoning) once per step, and agent_message into text", async () => {
    platforms.script({ chunks: ['It is sunny.'], thoughts: [{ tool: 'weather', toolInput: '{"city":"Paris"}', observation: 'sunny, 21°C' }] });
    const parts = await collect((await model.doStream({ prompt: prompt('weather?'), providerOptions: turn('ours-4') })).stream);
    const reasoning = parts.filter((part) => part.type === 'reasoning-delta').map((part) => (part as { delta: string }).delta);
    assert.deepEqual(reasoning, ['Using weather with {"city":"Paris"}\n', 'Result: sunny, 21°C\n']);
    assert.deepEqual(parts.filter((part) => part.type === 'text-delta').map((part) => (part as { delta: string }).delta), ['It is sunny.']);
  });

  it('reports a streamed error event as a stream error, and an HTTP error as an API call error', async () => {
    platforms.script({ chunks: ['partial'], streamError: { code: 'provider_quota_exceeded', message: 'quota exceeded' } });
    const parts = await collect((await model.doStream({ prompt: prompt('q'), providerOptions: turn('ours-5') })).stream);
    const error = parts.find((part) => part.type === 'error') as { error: Error } | undefined;
    assert.match(String(error?.error.message), /provider_quota_exceeded: quota exceeded/);

    platforms.script({ chunks: [], httpError: { status: 400, code: 'invalid_param', message: 'query is required' } });
    await assert.rejects(model.doStream({ prompt: prompt('q'), providerOptions: turn('ours-5') }), (failure: any) => {
      assert.equal(failure.statusCode, 400);
      assert.match(failure.message, /invalid_param: query is required/);
      return true;
    });
  });

  it('without a store (connection tests) starts a new Dify conversation each time and keeps nothing', async () => {
    const bare = new DifyChatModel({ providerId: 'p', baseUrl: platforms.difyBaseUrl, apiKey, modelId: 'dify-app', fetch: http.fetchWith({}) });
    platforms.script({ chunks: ['a'] });
    await bare.doGenerate({ prompt: prompt('q') });
    assert.equal(platforms.chatRequests[0]!.body.conversation_id, '');
    assert.equal(platforms.chatRequests[0]!.body.user, 'colloquy');
  });
});
