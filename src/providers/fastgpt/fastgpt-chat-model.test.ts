import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { startFakePlatforms, type FakePlatforms } from '../../../test/support/fake-platforms/fake-platforms.ts';
import { createTestOutboundHttp } from '../test-support/test-outbound-http.ts';
import { createFastGptChatModel, fastGptApiRoot } from './fastgpt-chat-model.ts';

const apiKey = 'fastgpt-key-0123456789';
const http = createTestOutboundHttp({ allowHosts: ['127.0.0.1'] });
const prompt = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: [{ type: 'text' as const, text: 'hello' }] },
];

describe('FastGPT chat model', () => {
  let platforms: FakePlatforms;
  before(async () => {
    platforms = await startFakePlatforms({ apiKey });
  });
  after(() => platforms.close());
  beforeEach(() => {
    platforms.requests.length = 0;
  });

  const model = () => createFastGptChatModel({ baseUrl: platforms.fastgptBaseUrl, apiKey, modelId: 'fastgpt-app', fetch: http.fetchWith({}) });

  it('accepts the API root with or without /v1', () => {
    assert.equal(fastGptApiRoot('https://api.fastgpt.in/api'), 'https://api.fastgpt.in/api/v1');
    assert.equal(fastGptApiRoot('https://api.fastgpt.in/api/v1/'), 'https://api.fastgpt.in/api/v1');
  });

  it('streams, sending our conversation id as chatId and the variables', async () => {
    platforms.script({ chunks: ['Hi', ' there'], usage: { promptTokens: 5, completionTokens: 2 } });
    const { stream } = await model().doStream({
      prompt, temperature: 0.3, maxOutputTokens: 77,
      providerOptions: { colloquy: { conversationId: 'conv-1', userId: 'u', turnId: 't' }, fastgpt: { variables: { name: 'Ada' } } },
    });
    const parts: LanguageModelV3StreamPart[] = [];
    for await (const part of stream as unknown as AsyncIterable<LanguageModelV3StreamPart>) parts.push(part);
    assert.deepEqual(parts.filter((part) => part.type === 'text-delta').map((part) => (part as { delta: string }).delta), ['Hi', ' there']);
    const finish = parts.find((part) => part.type === 'finish') as Extract<LanguageModelV3StreamPart, { type: 'finish' }>;
    assert.equal(finish.usage.inputTokens.total, 5);

    const [request] = platforms.chatRequests;
    assert.equal(request!.path, '/api/v1/chat/completions');
    assert.equal(request!.headers.authorization, `Bearer ${apiKey}`);
    assert.equal(request!.body.chatId, 'conv-1');
    assert.deepEqual(request!.body.variables, { name: 'Ada' });
    assert.equal(request!.body.detail, false);
    assert.equal(request!.body.stream, true);
    assert.equal(request!.body.temperature, 0.3);
    assert.equal(request!.body.max_tokens, 77);
    assert.deepEqual(request!.body.messages.at(-1), { role: 'user', content: 'hello' });
    assert.equal(request!.body.colloquy, undefined);
  });

  it('answers blocking calls; a caller-named chatId wins over the conversation id', async () => {
    platforms.script({ chunks: ['Whole answer'], usage: { promptTokens: 4, completionTokens: 2 } });
    const result = await model().doGenerate({
      prompt, providerOptions: { colloquy: { conversationId: 'conv-2' }, fastgpt: { chatId: 'client-chat-7', variables: { k: 'v' } } },
    });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Whole answer' }]);
    assert.equal(result.usage.outputTokens.total, 2);
    assert.equal(platforms.chatRequests[0]!.body.chatId, 'client-chat-7');
    assert.notEqual(platforms.chatRequests[0]!.body.stream, true);
    assert.deepEqual(platforms.chatRequests[0]!.body.variables, { k: 'v' });
  });

  it('sends no chatId when the call serves no conversation (FastGPT then keeps no history)', async () => {
    platforms.script({ chunks: ['pong'] });
    await model().doGenerate({ prompt });
    assert.equal('chatId' in platforms.chatRequests[0]!.body, false);
  });
});
