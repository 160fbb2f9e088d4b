import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { openSse, startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { answer, pause, reasoning, text, toolCall } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp } from '../../../test/support/test-app.ts';
import { openDatabase } from '../../storage/database.ts';

const usage = { promptTokens: 12, completionTokens: 5 };

describe('the official openai client against /v1', () => {
  let harness: ChatHarness;
  let client: OpenAI;
  before(async () => {
    harness = await startChatHarness(openDatabase({ dialect: 'sqlite', path: ':memory:' }));
    client = new OpenAI({ apiKey: harness.user.token, baseURL: `${harness.baseUrl}/v1`, maxRetries: 0 });
  });
  after(() => harness.close());

  it('lists the models of the providers the caller may use', async () => {
    const models = await client.models.list();
    assert.ok(models.data.some((model) => model.id === 'fake-model' && model.object === 'model'));
  });

  it('answers a chat completion and passes the sampling settings upstream', async () => {
    harness.fake.script(answer([text('Hello there.')], { usage }));
    const completion = await client.chat.completions.create({
      model: 'fake-model',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      temperature: 0.3, top_p: 0.9, max_tokens: 77, stop: ['END'],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0]!.message.content, 'Hello there.');
    assert.equal(completion.choices[0]!.finish_reason, 'stop');
    assert.deepEqual([completion.usage!.prompt_tokens, completion.usage!.completion_tokens, completion.usage!.total_tokens], [12, 5, 17]);
    const sent = harness.fake.chatRequests.at(-1)!.body as any;
    assert.deepEqual(sent.messages.map((message: any) => message.role), ['system', 'user']);
    assert.deepEqual([sent.temperature, sent.top_p, sent.max_tokens, sent.stop], [0.3, 0.9, 77, ['END']]);
    assert.equal(sent.model, 'fake-model');
  });

  it('streams chunks with reasoning_content, then usage when asked, then ends', async () => {
    harness.fake.script(answer([reasoning('Thinking.'), text('One'), text(' two')], { usage }));
    const stream = await client.chat.completions.create({
      model: 'fake-model', messages: [{ role: 'user', content: 'Count' }], stream: true, stream_options: { include_usage: true },
    });
    let content = '';
    let thought = '';
    let finish: string | null = null;
    let reported: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.usage) reported = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      content += choice.delta.content ?? '';
      thought += (choice.delta as { reasoning_content?: string }).reasoning_content ?? '';
      finish = choice.finish_reason ?? finish;
    }
    assert.equal(content, 'One two');
    assert.equal(thought, 'Thinking.');
    assert.equal(finish, 'stop');
    assert.equal(reported?.total_tokens, 17);
  });

  it('hands tool calls to the client and takes the results back', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    ];
    harness.fake.script(answer([toolCall('get_weather', { city: 'Oslo' }, { id: 'call_1' })], { usage }));
    const first = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools });
    const message = first.choices[0]!.message;
    assert.equal(first.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(message.tool_calls?.[0]?.type === 'function' && message.tool_calls[0].function.name, 'get_weather');
    const call = message.tool_calls![0]!;
    assert.deepEqual(JSON.parse((call as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments), { city: 'Oslo' });
    const offered = (harness.fake.chatRequests.at(-1)!.body as any).tools;
    assert.equal(offered[0].function.name, 'get_weather');

    harness.fake.script(answer([text('It is 4°C in Oslo.')], { usage }));
    const second = await client.chat.completions.create({
      model: 'fake-model', tools,
      messages: [{ role: 'user', content: 'Weather in Oslo?' }, message, { role: 'tool', tool_call_id: call.id, content: '4°C, cloudy' }],
    });
    assert.equal(second.choices[0]!.message.content, 'It is 4°C in Oslo.');
    const sent = (harness.fake.chatRequests.at(-1)!.body as any).messages;
    assert.deepEqual(sent.map((entry: any) => entry.role), ['user', 'assistant', 'tool']);
    assert.equal(sent[2].content, '4°C, cloudy');
  });

  it('streams client tool calls as tool_calls deltas', async () => {
    harness.fake.script(answer([toolCall('lookup', { q: 'x' }, { id: 'call_9' })], { usage }));
    const stream = await client.chat.completions.create({
      model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'Look up x' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
    });
    const calls: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) calls.push(`${delta.id}:${delta.function?.name}:${delta.function?.arguments}`);
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.deepEqual(calls, ['call_9:lookup:{"q":"x"}']);
    assert.equal(finish, 'tool_calls');
  });

  it('persists a session_id exchange into that conversation, visible in the session lists', async () => {
    const sessionId = `sdk-session-${Date.now()}`;
    harness.fake.script(answer([text('Nice to meet you.')], { usage }), answer([text('You said your name is Ada.')], { usage }));
    await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'I am Ada.' }] }, { query: { session_id: sessionId } });
    // A client that sends only its newest message gets the stored history.
    const second = await client.chat.completions.create({
      model: 'fake-model', messages: [{ role: 'user', content: 'What is my name?' }], session_id: sessionId,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    assert.equal(second.choices[0]!.message.content, 'You said your name is Ada.');
    const upstream = (harness.fake.chatRequests.at(-1)!.body as any).messages;
    assert.deepEqual(upstream.map((entry: any) => entry.content), ['I am Ada.', 'Nice to meet you.', 'What is my name?']);

    const messages = await harness.app.inject({ method: 'GET', url: `/api/sessions/${sessionId}/messages`, headers: bearer(harness.user.token) });
    assert.equal(messages.statusCode, 200, messages.body);
    assert.deepEqual(
      json(messages).map((message: any) => [message.role, message.content]),
      [['user', 'I am Ada.'], ['assistant', 'Nice to meet you.'], ['user', 'What is my name?'], ['assistant', 'You said your name is Ada.']],
    );
    const sessions = await harness.app.inject({ method: 'GET', url: '/api/sessions', headers: bearer(harness.user.token) });
    assert.ok(json(sessions).some((session: any) => session.id === sessionId));
    const ledger = await harness.dependencies.repositories.usage.listForUser(harness.user.id, { limit: 50 });
    assert.ok(ledger.some((row) => row.surface === 'openai' && row.conversationId === sessionId));
    assert.ok(ledger.some((row) => row.surface === 'openai' && row.conversationId === null));
  });

  it("answers 404 for another user's session, in OpenAI's error shape", async () => {
    const sessionId = `private-${Date.now()}`;
    harness.fake.script(answer([text('Mine.')], { usage }));
    await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'hello' }] }, { query: { session_id: sessionId } });
    const other = await signUp(harness.app);
    // The intruder has a provider of their own, so only the session can stop the request.
    const provider = await harness.app.inject({
      method: 'POST', url: '/api/providers', headers: bearer(other.token),
      payload: { name: 'Own', provider_type: 'openai', base_url: harness.fake.openaiBaseUrl, api_key: 'sk-own-0123456789', default_model: 'fake-model', is_default: true },
    });
    assert.equal(provider.statusCode, 200, provider.body);
    const intruder = new OpenAI({ apiKey: other.token, baseURL: `${harness.baseUrl}/v1`, maxRetries: 0 });
    const requestsBefore = harness.fake.chatRequests.length;
    await assert.rejects(
      intruder.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'let me in' }] }, { query: { session_id: sessionId } }),
      (error: unknown) => error instanceof OpenAI.NotFoundError && /conversation not found/.test(error.message),
    );
    assert.equal(harness.fake.chatRequests.length, requestsBefore);
  });

  it('leaves no conversation behind when a session request cannot run', async () => {
    const stranger = await signUp(harness.app);
    const sessionId = `no-provider-${Date.now()}`;
    const noProviders = new OpenAI({ apiKey: stranger.token, baseURL: `${harness.baseUrl}/v1`, maxRetries: 0 });
    await assert.rejects(
      noProviders.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] }, { query: { session_id: sessionId } }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /no LLM provider is configured/.test(error.message),
    );
    const session = await harness.app.inject({ method: 'GET', url: `/api/sessions/${sessionId}`, headers: bearer(stranger.token) });
    assert.equal(session.statusCode, 404);
  });

  it('refuses bad requests with a 400 that says what to fix', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'fake-model', messages: [] }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /messages/.test(error.message),
    );
    await assert.rejects(
      client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }], n: 2 }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /n must be 1/.test(error.message),
    );
    await assert.rejects(
      new OpenAI({ apiKey: 'wrong', baseURL: `${harness.baseUrl}/v1`, maxRetries: 0 }).models.list(),
      (error: unknown) => error instanceof OpenAI.AuthenticationError,
    );
  });

  it('is reachable under /api too', async () => {
    harness.fake.script(answer([text('From /api.')], { usage }));
    const viaApi = new OpenAI({ apiKey: harness.user.token, baseURL: `${harness.baseUrl}/api`, maxRetries: 0 });
    const completion = await viaApi.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(completion.choices[0]!.message.content, 'From /api.');
    assert.ok((await viaApi.models.list()).data.length > 0);
  });

  it('aborts the upstream call when a client without a session disconnects', async () => {
    harness.fake.script(answer([text('Start'), pause(5_000), text(' never sent')], { usage }));
    const index = harness.fake.chatRequests.length;
    const connection = await openSse(`${harness.baseUrl}/v1/chat/completions`, {
      headers: bearer(harness.user.token), body: { model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'long' }] },
    });
    await connection.waitFor((frame) => frame.data?.choices?.[0]?.delta?.content === 'Start');
    connection.destroy();
    await harness.fake.waitForClientClose(index);
  });
});

describe('resuming a session completion stream', () => {
  let harness: ChatHarness;
  before(async () => {
    harness = await startChatHarness(openDatabase({ dialect: 'sqlite', path: ':memory:' }));
  });
  after(() => harness.close());

  it('sends every chunk after Last-Event-ID once, in the OpenAI format', async () => {
    const gate = harness.fake.gate();
    harness.fake.script(answer([text('Before, '), gate, text('after.')], { usage }));
    const first = await openSse(`${harness.baseUrl}/v1/chat/completions?session_id=resume-${Date.now()}`, {
      headers: bearer(harness.user.token), body: { model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'go' }] },
    });
    const messageId = String(first.headers['x-message-id']);
    const seen = await first.waitFor((frame) => frame.data?.choices?.[0]?.delta?.content === 'Before, ');
    first.destroy();
    gate.release();
    const resumed = await openSse(`${harness.baseUrl}/v1/chat/completions/${messageId}/stream`, {
      method: 'GET', headers: { ...bearer(harness.user.token), 'last-event-id': String(seen.id) },
    });
    const frames = await resumed.ended;
    const content = frames.map((frame) => frame.data?.choices?.[0]?.delta?.content ?? '').join('');
    assert.equal(content, 'after.');
    assert.equal(frames.at(-1)!.data, '[DONE]');
    assert.ok(frames.every((frame) => frame.data === '[DONE]' || frame.data.model === 'fake-model'));
    assert.ok(!frames.some((frame) => frame.data?.choices?.[0]?.delta?.role), 'no second role chunk');
    const other = await signUp(harness.app);
    const refused = await harness.app.inject({ method: 'GET', url: `/v1/chat/completions/${messageId}/stream`, headers: bearer(other.token) });
    assert.equal(refused.statusCode, 404);
    assert.equal(json(refused).error.type, 'not_found_error');
  });
});
