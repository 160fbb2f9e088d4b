import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { answer, reasoning, startFakeUpstream, text, toolCall, type FakeUpstream } from './index.ts';
import { callOptions, finishOf, joinedDeltas, providerAdapters, readStreamParts } from './provider-adapters.ts';

const thinkingThenCalling = () =>
  answer([reasoning('Let me '), reasoning('think.'), text('Hello'), text(' world'), toolCall('get_weather', { city: 'Paris' }, { id: 'call_1', pieces: 3 })], {
    usage: { promptTokens: 11, completionTokens: 7, reasoningTokens: 3 },
  });

for (const adapter of providerAdapters) {
  describe(`fake upstream through the official ${adapter.format} adapter`, () => {
    let fake: FakeUpstream;
    before(async () => (fake = await startFakeUpstream()));
    after(() => fake.close());
    beforeEach(() => (fake.requests.length = 0));

    it('streams reasoning, text, a tool call split in pieces, usage and the finish reason', async () => {
      fake.script(thinkingThenCalling());
      const { stream } = await adapter.create(fake).doStream(callOptions());
      const parts = await readStreamParts(stream);

      assert.equal(joinedDeltas(parts, 'reasoning-delta'), 'Let me think.');
      assert.equal(joinedDeltas(parts, 'text-delta'), 'Hello world');
      const calls = parts.flatMap((part) => (part.type === 'tool-call' ? [part] : []));
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.toolCallId, 'call_1');
      assert.equal(calls[0]?.toolName, 'get_weather');
      assert.deepEqual(JSON.parse(calls[0]?.input ?? ''), { city: 'Paris' });
      const finish = finishOf(parts);
      assert.equal(finish?.finishReason.unified, 'tool-calls');
      assert.equal(finish?.usage.inputTokens.total, 11);
      assert.equal(finish?.usage.outputTokens.total, 7);
      assert.equal(finish?.usage.outputTokens.reasoning, 3);
      assert.ok(!parts.some((part) => part.type === 'error'), 'no error part');

      const [request] = fake.requests;
      assert.equal(request?.format, adapter.format);
      assert.equal(request?.kind, 'chat');
      assert.equal(request?.model, adapter.modelId);
      assert.equal(request?.isStream, true);
    });

    it('answers a non-streamed request with the same script as one body', async () => {
      fake.script(thinkingThenCalling());
      const result = await adapter.create(fake).doGenerate(callOptions());

      const reasoningText = result.content.flatMap((part) => (part.type === 'reasoning' ? [part.text] : [])).join('');
      const answerText = result.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
      assert.equal(reasoningText, 'Let me think.');
      assert.equal(answerText, 'Hello world');
      const call = result.content.find((part) => part.type === 'tool-call');
      assert.equal(call?.toolName, 'get_weather');
      assert.equal(call?.toolCallId, 'call_1');
      assert.deepEqual(JSON.parse(call?.input ?? ''), { city: 'Paris' });
      assert.equal(result.finishReason.unified, 'tool-calls');
      assert.equal(result.usage.inputTokens.total, 11);
      assert.equal(result.usage.outputTokens.total, 7);
      assert.equal(result.usage.outputTokens.reasoning, 3);
      assert.equal(fake.requests[0]?.isStream, false);
    });

    it('reports a length finish, and no usage when none is scripted (Anthropic always reports, so zeros)', async () => {
      fake.script(answer([text('cut')], { finishReason: 'length' }), answer([text('cut')], { finishReason: 'length' }));
      const model = adapter.create(fake);
      const parts = await readStreamParts((await model.doStream(callOptions())).stream);
      const generated = await model.doGenerate(callOptions());

      const expectedTotal = adapter.format === 'anthropic' ? 0 : undefined;
      assert.equal(finishOf(parts)?.finishReason.unified, 'length');
      assert.equal(finishOf(parts)?.usage.outputTokens.total, expectedTotal);
      assert.equal(generated.finishReason.unified, 'length');
      assert.equal(generated.usage.outputTokens.total, expectedTotal);
    });

    it('ends a plain answer with stop and without tool calls', async () => {
      fake.script(answer([text('Hi there.')], { usage: { promptTokens: 3, completionTokens: 2 } }));
      const parts = await readStreamParts((await adapter.create(fake).doStream(callOptions())).stream);
      assert.equal(joinedDeltas(parts, 'text-delta'), 'Hi there.');
      assert.equal(finishOf(parts)?.finishReason.unified, 'stop');
      assert.equal(parts.filter((part) => part.type === 'tool-call').length, 0);
    });
  });
}

describe('fake upstream in OpenAI format, as real OpenAI', () => {
  it('sends streamed usage only to a client that asks for it with stream_options.include_usage', async () => {
    const fake = await startFakeUpstream();
    try {
      fake.script(answer([text('hi')], { usage: { promptTokens: 5, completionTokens: 1 } }));
      const model = createOpenAICompatible({ name: 'fake', baseURL: fake.openaiBaseUrl, apiKey: 'k' })('m');
      const parts = await readStreamParts((await model.doStream(callOptions())).stream);
      assert.equal(finishOf(parts)?.finishReason.unified, 'stop');
      assert.equal(finishOf(parts)?.usage.inputTokens.total, undefined);
    } finally {
      await fake.close();
    }
  });
});
