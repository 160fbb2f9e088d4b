import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { answer, reasoning, text, toolCall } from '../../../test/support/fake-upstream/index.ts';
import { openDatabase } from '../../storage/database.ts';

const usage = { promptTokens: 21, completionTokens: 8 };

// The fake upstream behind Colloquy speaks OpenAI's format here and Anthropic's in the second
// suite, so the Anthropic surface is shown to work over either kind of provider.
for (const providerType of ['openai', 'anthropic'] as const) {
  describe(`the official Anthropic client against /v1/messages (upstream: ${providerType})`, () => {
    let harness: ChatHarness;
    let client: Anthropic;
    before(async () => {
      harness = await startChatHarness(openDatabase({ dialect: 'sqlite', path: ':memory:' }), { providerType });
      client = new Anthropic({ apiKey: harness.user.token, baseURL: harness.baseUrl, maxRetries: 0 });
    });
    after(() => harness.close());

    it('answers a message, with the system prompt sent upstream', async () => {
      harness.fake.script(answer([text('Bonjour.')], { usage }));
      const message = await client.messages.create({
        model: 'fake-model', max_tokens: 64, system: 'Answer in French.', messages: [{ role: 'user', content: 'Hello' }],
      });
      assert.equal(message.type, 'message');
      assert.deepEqual(message.content, [{ type: 'text', text: 'Bonjour.' }]);
      assert.equal(message.stop_reason, 'end_turn');
      assert.deepEqual([message.usage.input_tokens, message.usage.output_tokens], [21, 8]);
      const sent = harness.fake.chatRequests.at(-1)!.body as any;
      if (providerType === 'openai') {
        assert.deepEqual(sent.messages[0], { role: 'system', content: 'Answer in French.' });
        assert.equal(sent.max_tokens, 64);
      } else {
        assert.equal(sent.system[0].text, 'Answer in French.');
        assert.equal(sent.max_tokens, 64);
      }
    });

    it('streams message_start, thinking and text blocks, message_delta and message_stop', async () => {
      harness.fake.script(answer([reasoning('Considering.'), text('Two'), text(' words')], { usage }));
      const stream = client.messages.stream({
        model: 'fake-model', max_tokens: 256, thinking: { type: 'enabled', budget_tokens: 128 }, messages: [{ role: 'user', content: 'Say two words' }],
      });
      const events: string[] = [];
      stream.on('streamEvent', (event) => events.push(event.type));
      const final = await stream.finalMessage();
      assert.equal(events[0], 'message_start');
      assert.equal(events.at(-1), 'message_stop');
      assert.ok(events.includes('message_delta'));
      assert.deepEqual(final.content.map((block) => block.type), ['thinking', 'text']);
      assert.equal((final.content[0] as Anthropic.ThinkingBlock).thinking, 'Considering.');
      assert.equal((final.content[1] as Anthropic.TextBlock).text, 'Two words');
      assert.equal(final.usage.output_tokens, 8);
    });

    it('hands tool use to the client and takes tool_result back', async () => {
      const tools: Anthropic.Tool[] = [{ name: 'get_time', description: 'Current time in a zone', input_schema: { type: 'object', properties: { zone: { type: 'string' } } } }];
      harness.fake.script(answer([text('Checking.'), toolCall('get_time', { zone: 'UTC' }, { id: 'toolu_7' })], { usage }));
      const first = await client.messages.create({ model: 'fake-model', max_tokens: 100, tools, messages: [{ role: 'user', content: 'Time in UTC?' }] });
      assert.equal(first.stop_reason, 'tool_use');
      const use = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')!;
      assert.deepEqual([use.name, use.input], ['get_time', { zone: 'UTC' }]);

      harness.fake.script(answer([text('It is noon UTC.')], { usage }));
      const second = await client.messages.create({
        model: 'fake-model', max_tokens: 100, tools,
        messages: [
          { role: 'user', content: 'Time in UTC?' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '12:00' }] },
        ],
      });
      assert.deepEqual(second.content, [{ type: 'text', text: 'It is noon UTC.' }]);
      const sent = JSON.stringify(harness.fake.chatRequests.at(-1)!.body);
      assert.ok(sent.includes('12:00'), 'the tool result reached the upstream model');
    });

    it('streams tool use as a tool_use block with its input', async () => {
      harness.fake.script(answer([toolCall('get_time', { zone: 'CET' }, { id: 'toolu_8' })], { usage }));
      const final = await client.messages
        .stream({
          model: 'fake-model', max_tokens: 100, messages: [{ role: 'user', content: 'Time in CET?' }],
          tools: [{ name: 'get_time', input_schema: { type: 'object', properties: { zone: { type: 'string' } } } }],
        })
        .finalMessage();
      assert.equal(final.stop_reason, 'tool_use');
      assert.deepEqual(final.content, [{ type: 'tool_use', id: 'toolu_8', name: 'get_time', input: { zone: 'CET' } }]);
    });

    it("answers errors in Anthropic's shape, and takes x-api-key or Bearer", async () => {
      await assert.rejects(
        client.messages.create({ model: 'fake-model', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }),
        (error: unknown) => error instanceof Anthropic.BadRequestError && /max_tokens/.test(error.message),
      );
      await assert.rejects(
        new Anthropic({ apiKey: 'nope', baseURL: harness.baseUrl, maxRetries: 0 }).messages.create({ model: 'fake-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
        (error: unknown) => error instanceof Anthropic.AuthenticationError,
      );
      harness.fake.script(answer([text('Via bearer.')], { usage }));
      const viaBearer = new Anthropic({ authToken: harness.user.token, apiKey: null, baseURL: harness.baseUrl, maxRetries: 0 });
      const message = await viaBearer.messages.create({ model: 'fake-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
      assert.deepEqual(message.content, [{ type: 'text', text: 'Via bearer.' }]);
      const ledger = await harness.dependencies.repositories.usage.listForUser(harness.user.id, { limit: 50 });
      assert.ok(ledger.length > 0 && ledger.every((row) => row.surface === 'anthropic'));
    });
  });
}
