import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { openSse, providerSecret, renderSteps, startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { answer, reasoning, text, toolCall } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json } from '../../../test/support/test-app.ts';
import type { ToolDefinition } from '../../tools/tool-registry.ts';

/** A test-only tool: real tools come with the tools issue. */
const lookupTool: ToolDefinition = {
  name: 'lookup',
  description: 'Looks a word up',
  category: 'data',
  permissionLevel: 1,
  inputSchema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] },
  async execute(input) {
    return { output: `definition of ${(input as { word: string }).word}`, isError: false };
  },
};
const privilegedTool: ToolDefinition = { ...lookupTool, name: 'privileged', permissionLevel: 3 };

for (const database of testDatabases()) {
  describe(`Luxx streamed turns (${database.name})`, () => {
    let harness: ChatHarness;
    before(async () => {
      harness = await startChatHarness(await database.open(), { dependencies: { tools: [lookupTool, privilegedTool] } });
    });
    after(() => harness.close());

    const stream = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      openSse(`${harness.baseUrl}/api/messages/stream`, { headers: { ...bearer(harness.user.token), ...headers }, body });
    const messages = async (conversationId: string) => {
      const response = await harness.app.inject({ url: `/api/messages?conversation_id=${conversationId}`, headers: bearer(harness.user.token) });
      return json(response).data.messages as any[];
    };

    it('streams text as process steps, ends with done, and stores the answer complete', async () => {
      const conversationId = await harness.newConversation({ system_prompt: 'Be terse.' });
      harness.fake.script(answer([text('Hello'), text(', world')], { usage: { promptTokens: 9, completionTokens: 3 } }));
      const connection = await stream({ conversation_id: conversationId, content: 'Say hello' });
      assert.equal(connection.status, 200);
      assert.match(String(connection.headers['content-type']), /^text\/event-stream/);
      const frames = await connection.ended;
      assert.deepEqual(renderSteps(frames), [{ id: 'step-0', index: 0, type: 'text', content: 'Hello, world' }]);
      const done = frames.at(-1)!;
      assert.equal(done.event, 'done');
      assert.equal(done.data.message_id, connection.headers['x-message-id']);
      assert.deepEqual(done.data.usage, { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
      assert.equal(done.data.token_count, 12);

      // The upstream saw the system prompt, the message, and the provider's own key.
      const upstream = harness.fake.chatRequests.at(-1)!;
      assert.deepEqual((upstream.body as any).messages, [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Say hello' }]);
      assert.equal(upstream.headers.authorization, `Bearer ${providerSecret}`);

      const stored = await messages(conversationId);
      assert.deepEqual(stored.map((message) => [message.role, message.content, message.status]), [
        ['user', 'Say hello', 'complete'],
        ['assistant', 'Hello, world', 'complete'],
      ]);
      assert.deepEqual(stored[1].process_steps, renderSteps(frames));
      assert.equal(stored[1].token_count, 12);
      assert.equal(stored[1].id, done.data.message_id);

      const ledger = await harness.dependencies.repositories.usage.listForUser(harness.user.id, { limit: 10 });
      const row = ledger.find((record) => record.messageId === done.data.message_id)!;
      assert.equal(row.surface, 'luxx');
      assert.equal(row.providerId, harness.providerId);
      assert.equal(row.model, 'fake-model');
      assert.deepEqual([row.promptTokens, row.completionTokens, row.status], [9, 3, 'success']);
      assert.ok(row.timeToFirstTokenMs !== null && row.latencyMs >= row.timeToFirstTokenMs);
    });

    it('yields thinking steps when thinking is on, and the next turn carries the history', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(answer([text('First.')]));
      await (await stream({ conversation_id: conversationId, content: 'one' })).ended;
      harness.fake.script(answer([reasoning('Weighing it'), reasoning(' up.'), text('Second.')]));
      const frames = await (await stream({ conversation_id: conversationId, content: 'two', thinking_enabled: true })).ended;
      assert.deepEqual(renderSteps(frames), [
        { id: 'step-0', index: 0, type: 'thinking', content: 'Weighing it up.' },
        { id: 'step-1', index: 1, type: 'text', content: 'Second.' },
      ]);
      const sent = (harness.fake.chatRequests.at(-1)!.body as any).messages;
      assert.deepEqual(sent.map((message: any) => [message.role, message.content]), [['user', 'one'], ['assistant', 'First.'], ['user', 'two']]);
    });

    it('runs the tool loop: tool_call and tool_result steps, and the result goes back to the model', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(
        answer([text('Let me check.'), toolCall('lookup', { word: 'ephemeral' }, { id: 'call_7' })]),
        answer([text('It means short-lived.')]),
      );
      const before = harness.fake.chatRequests.length;
      const frames = await (await stream({ conversation_id: conversationId, content: 'define ephemeral', enabled_tools: ['lookup', 'privileged'] })).ended;
      assert.deepEqual(renderSteps(frames), [
        { id: 'step-0', index: 0, type: 'text', content: 'Let me check.' },
        { id: 'step-1', index: 1, type: 'tool_call', id_ref: 'call_7', name: 'lookup', arguments: '{"word":"ephemeral"}' },
        { id: 'step-2', index: 2, type: 'tool_result', id_ref: 'call_7', name: 'lookup', content: 'definition of ephemeral', success: true },
        { id: 'step-3', index: 3, type: 'text', content: 'It means short-lived.' },
      ]);
      const [first, second] = harness.fake.chatRequests.slice(before);
      // A level-1 user is offered only the level-1 tool.
      assert.deepEqual((first!.body as any).tools.map((tool: any) => tool.function.name), ['lookup']);
      const toolMessage = (second!.body as any).messages.find((message: any) => message.role === 'tool');
      assert.deepEqual([toolMessage.tool_call_id, toolMessage.content], ['call_7', 'definition of ephemeral']);
      const stored = await messages(conversationId);
      assert.equal(stored[1].content, 'Let me check.It means short-lived.');
    });

    it('answers non-streamed POST /api/messages with both messages', async () => {
      const conversationId = await harness.newConversation();
      harness.fake.script(answer([text('Plain answer')]));
      const response = await harness.app.inject({
        method: 'POST', url: '/api/messages/', headers: bearer(harness.user.token), payload: { conversation_id: conversationId, content: 'hi' },
      });
      assert.equal(response.statusCode, 200, response.body);
      const { user_message: userMessage, assistant_message: assistantMessage } = json(response).data;
      assert.deepEqual([userMessage.role, userMessage.content], ['user', 'hi']);
      assert.deepEqual([assistantMessage.role, assistantMessage.content, assistantMessage.status], ['assistant', 'Plain answer', 'complete']);
    });

    it('refuses bad input with 4xx and writes nothing', async () => {
      const conversationId = await harness.newConversation();
      const empty = await harness.app.inject({
        method: 'POST', url: '/api/messages/stream', headers: bearer(harness.user.token), payload: { conversation_id: conversationId, content: '   ' },
      });
      assert.equal(empty.statusCode, 400);
      assert.match(json(empty).message, /content/);
      const unknown = await harness.app.inject({
        method: 'POST', url: '/api/messages/stream', headers: bearer(harness.user.token), payload: { conversation_id: 'nope', content: 'x' },
      });
      assert.equal(unknown.statusCode, 404);
      const badProvider = await harness.app.inject({
        method: 'POST', url: '/api/messages', headers: bearer(harness.user.token),
        payload: { conversation_id: conversationId, content: 'x', provider_id: 'someone-elses' },
      });
      assert.equal(badProvider.statusCode, 404);
      assert.deepEqual(await messages(conversationId), []);
    });

    it("never shows the provider's key in a response or a log line", async () => {
      const listed = await harness.app.inject({ url: '/api/providers', headers: bearer(harness.user.token) });
      assert.ok(!listed.body.includes(providerSecret));
      assert.ok(!harness.logs.join('').includes(providerSecret));
    });
  });
}
