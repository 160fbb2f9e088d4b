import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSse, renderSteps, startChatHarness, type ChatHarness } from '../../test/support/chat-harness.ts';
import { answer, httpError, reasoning, text, toolCall } from '../../test/support/fake-upstream/index.ts';
import { bearer, json } from '../../test/support/test-app.ts';
import { openDatabase } from '../storage/database.ts';
import type { ToolDefinition } from '../tools/tool-registry.ts';

const echoTool: ToolDefinition = {
  name: 'echo',
  description: 'Echoes its text',
  category: 'data',
  permissionLevel: 1,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  async execute(input) {
    return { output: `echo: ${(input as { text: string }).text}`, isError: false };
  },
};

const memoryDatabase = async () => openDatabase({ dialect: 'sqlite', path: ':memory:' });

for (const providerType of ['anthropic', 'google'] as const) {
  describe(`turns over ${providerType}'s wire format`, () => {
    let harness: ChatHarness;
    before(async () => {
      harness = await startChatHarness(await memoryDatabase(), { providerType, dependencies: { tools: [echoTool] } });
    });
    after(() => harness.close());

    it('streams reasoning, a tool call and its result, and the final text', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(
        answer([reasoning('Plan: call echo.'), toolCall('echo', { text: 'ping' }, { id: 'toolu_1' })], { usage: { promptTokens: 20, completionTokens: 6 } }),
        answer([text('It said ping.')], { usage: { promptTokens: 30, completionTokens: 4 } }),
      );
      const connection = await openSse(`${harness.baseUrl}/api/messages/stream`, {
        headers: bearer(harness.user.token),
        body: { conversation_id: conversationId, content: 'echo ping', thinking_enabled: true, enabled_tools: ['echo'] },
      });
      const frames = await connection.ended;
      const steps = renderSteps(frames) as any[];
      assert.deepEqual(steps.map((step) => step.type), ['thinking', 'tool_call', 'tool_result', 'text']);
      assert.equal(steps[0].content, 'Plan: call echo.');
      assert.deepEqual([steps[1].name, JSON.parse(steps[1].arguments)], ['echo', { text: 'ping' }]);
      assert.equal(steps[2].content, 'echo: ping');
      assert.equal(steps[3].content, 'It said ping.');
      const done = frames.at(-1)!;
      assert.equal(done.event, 'done');
      assert.equal(done.data.usage.prompt_tokens, 50);
      assert.equal(done.data.usage.completion_tokens, 10);

      const [first, second] = harness.fake.chatRequests.slice(-2);
      if (providerType === 'anthropic') {
        assert.equal(first!.headers['x-api-key'], 'sk-upstream-secret-0123456789abcdef');
        assert.equal((first!.body as any).thinking.type, 'enabled');
        const toolResult = (second!.body as any).messages.at(-1).content[0];
        assert.deepEqual([toolResult.type, toolResult.content], ['tool_result', 'echo: ping']);
      } else {
        assert.equal(first!.headers['x-goog-api-key'], 'sk-upstream-secret-0123456789abcdef');
        assert.equal((first!.body as any).generationConfig.thinkingConfig.includeThoughts, true);
        const toolResult = (second!.body as any).contents.at(-1).parts[0].functionResponse;
        assert.equal(toolResult.name, 'echo');
      }
    });
  });
}

describe('fallback and refused destinations', () => {
  let harness: ChatHarness;
  before(async () => {
    harness = await startChatHarness(await memoryDatabase(), { env: { COLLOQUY_UPSTREAM_MAX_RETRIES: '1' } });
  });
  after(() => harness.close());

  it('tries the fallback model after the first one keeps failing before any token', async () => {
    const updated = await harness.app.inject({
      method: 'PUT', url: `/api/providers/${harness.providerId}`, headers: bearer(harness.user.token),
      payload: { fallback_model: 'backup-model' },
    });
    assert.equal(updated.statusCode, 200, updated.body);
    const conversationId = await harness.newConversation();
    harness.fake.script(httpError(500), httpError(500), answer([text('From the backup.')]));
    const response = await harness.app.inject({
      method: 'POST', url: '/api/messages', headers: bearer(harness.user.token), payload: { conversation_id: conversationId, content: 'hi' },
    });
    const assistant = json(response).data.assistant_message;
    assert.deepEqual([assistant.content, assistant.model, assistant.status], ['From the backup.', 'backup-model', 'complete']);
    assert.deepEqual(harness.fake.chatRequests.slice(-3).map((request) => request.model), ['fake-model', 'fake-model', 'backup-model']);
  });

  it("a user's provider pointing at a private address fails the turn without connecting", async () => {
    const { dependencies } = harness;
    // Loopback is allowed in this harness, so point at another private range nothing listens on.
    const created = await harness.app.inject({
      method: 'POST', url: '/api/providers', headers: bearer(harness.user.token),
      payload: { name: 'Metadata', provider_type: 'openai', base_url: 'http://169.254.169.254/v1', api_key: 'sk-x', default_model: 'm' },
    });
    assert.equal(created.statusCode, 200, created.body);
    const conversationId = await harness.newConversation();
    const response = await harness.app.inject({
      method: 'POST', url: '/api/messages', headers: bearer(harness.user.token),
      payload: { conversation_id: conversationId, content: 'hi', provider_id: json(created).data.id },
    });
    const assistant = json(response).data.assistant_message;
    assert.equal(assistant.status, 'failed');
    assert.match(assistant.error, /refused to connect to 169\.254\.169\.254/);
    const ledger = await dependencies.repositories.usage.listForUser(harness.user.id, { limit: 1 });
    assert.equal(ledger[0]!.errorCode, 'OUTBOUND_BLOCKED');
  });
});

describe('the tool loop cap', () => {
  let harness: ChatHarness;
  before(async () => {
    harness = await startChatHarness(await memoryDatabase(), { env: { COLLOQUY_MAX_TOOL_ITERATIONS: '2' }, dependencies: { tools: [echoTool] } });
  });
  after(() => harness.close());

  it('ends a turn whose model keeps calling tools as incomplete after the configured number of calls', async () => {
    const conversationId = await harness.newConversation();
    harness.fake.script(
      answer([toolCall('echo', { text: 'a' }, { id: 'c1' })]),
      answer([toolCall('echo', { text: 'b' }, { id: 'c2' })]),
      answer([text('unreached')]),
    );
    const before = harness.fake.chatRequests.length;
    const response = await harness.app.inject({
      method: 'POST', url: '/api/messages', headers: bearer(harness.user.token),
      payload: { conversation_id: conversationId, content: 'loop', enabled_tools: ['echo'] },
    });
    const assistant = json(response).data.assistant_message;
    assert.equal(assistant.status, 'incomplete');
    assert.match(assistant.error, /stopped after 2 model calls/);
    assert.equal(harness.fake.chatRequests.length - before, 2);
    harness.fake.script();
    await harness.app.inject({ method: 'POST', url: '/api/messages', headers: bearer(harness.user.token), payload: { conversation_id: conversationId, content: 'drain' } });
  });
});

describe('a stop while a tool runs', () => {
  let harness: ChatHarness;
  let releaseTool: () => void = () => undefined;
  let toolStarted: Promise<void>;
  let markStarted: () => void = () => undefined;
  /** A tool that ignores its abort signal, as a careless one might. */
  const stubbornTool: ToolDefinition = {
    ...echoTool,
    name: 'stubborn',
    async execute() {
      markStarted();
      await new Promise<void>((resolve) => (releaseTool = resolve));
      return { output: 'finished anyway', isError: false };
    },
  };
  before(async () => {
    toolStarted = new Promise((resolve) => (markStarted = resolve));
    harness = await startChatHarness(await memoryDatabase(), { dependencies: { tools: [stubbornTool] } });
  });
  after(() => harness.close());

  it('ends the turn as cancelled, with no further model call', async () => {
    const conversationId = await harness.newConversation();
    harness.fake.script(answer([toolCall('stubborn', {}, { id: 'c1' })]), answer([text('must not be asked for')]));
    const before = harness.fake.chatRequests.length;
    const connection = await openSse(`${harness.baseUrl}/api/messages/stream`, {
      headers: bearer(harness.user.token), body: { conversation_id: conversationId, content: 'go', enabled_tools: ['stubborn'] },
    });
    await toolStarted;
    const stop = await harness.app.inject({
      method: 'POST', url: `/api/messages/${connection.headers['x-message-id']}/stop`, headers: bearer(harness.user.token),
    });
    assert.equal(json(stop).data.stopped, true);
    releaseTool();
    const frames = await connection.ended;
    assert.equal(frames.at(-1)!.data.status, 'cancelled');
    assert.equal(harness.fake.chatRequests.length - before, 1);
    harness.fake.script();
    await harness.app.inject({ method: 'POST', url: '/api/messages', headers: bearer(harness.user.token), payload: { conversation_id: conversationId, content: 'drain' } });
  });
});
