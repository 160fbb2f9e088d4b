import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { openSse, startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { answer, httpError, reasoning, text } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp } from '../../../test/support/test-app.ts';

const database = testDatabases()[0]!;

describe('LLMChat agent chat on POST /api/chat/completions', () => {
  let harness: ChatHarness;
  let agentId: string;
  before(async () => {
    harness = await startChatHarness(await database.open());
    const created = await harness.app.inject({
      method: 'POST', url: '/api/agents', headers: bearer(harness.user.token),
      payload: {
        name: 'Writer', description: 'Writes', category: '写作助手', provider: harness.providerId,
        config: { model: 'fake-model', temperature: 0.7, maxTokens: 2000, systemPrompt: 'You are a writer.', topP: 0.9 },
      },
    });
    assert.equal(created.statusCode, 200, created.body);
    agentId = json(created).data.id;
  });
  after(() => harness.close());

  const chat = (body: Record<string, unknown>, token = harness.user.token) =>
    harness.app.inject({ method: 'POST', url: '/api/chat/completions', headers: bearer(token), payload: body });

  it('answers a non-streamed call in the envelope, with the agent’s settings and the call’s overrides upstream', async () => {
    harness.fake.script(answer([text('Hello, '), text('I am a writer.')], { usage: { promptTokens: 25, completionTokens: 150 } }));
    const response = await chat({
      agentId, stream: false, messages: [{ role: 'user', content: '你好' }], config: { temperature: 0.2, maxTokens: 300 },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = json(response);
    assert.equal(body.code, 'SUCCESS');
    const { id, sessionId, message, usage, createdAt } = body.data;
    assert.deepEqual(message, { role: 'assistant', content: 'Hello, I am a writer.' });
    assert.deepEqual(usage, { promptTokens: 25, completionTokens: 150, totalTokens: 175, prompt_tokens: 25, completion_tokens: 150, total_tokens: 175 });
    assert.deepEqual(body.data.choices, [{ index: 0, message: { id, role: 'assistant', content: 'Hello, I am a writer.' }, finish_reason: 'stop' }]);
    assert.equal(typeof createdAt, 'string');
    assert.equal(response.headers['x-message-id'], id);

    const upstream = harness.fake.chatRequests.at(-1)!.body as any;
    assert.equal(upstream.temperature, 0.2);
    assert.equal(upstream.max_tokens, 300);
    assert.equal(upstream.top_p, 0.9);
    assert.equal(upstream.model, 'fake-model');
    assert.deepEqual(upstream.messages[0], { role: 'system', content: 'You are a writer.' });

    // The conversation records the agent.
    const conversation = await harness.dependencies.repositories.conversations.findForUser(harness.user.id, sessionId);
    assert.equal(conversation?.agentId, agentId);
  });

  it('streams start, chunk, status and end frames in order, and a sessionId continues the conversation', async () => {
    harness.fake.script(answer([text('First answer')]));
    const first = json(await chat({ agentId, messages: [{ role: 'user', content: 'first question' }] })).data;

    harness.fake.script(answer([reasoning('thinking…'), text('Sec'), text('ond')], { usage: { promptTokens: 5, completionTokens: 2 } }));
    const connection = await openSse(`${harness.baseUrl}/api/chat/completions`, {
      headers: bearer(harness.user.token),
      body: { agentId, stream: true, sessionId: first.sessionId, messages: [{ role: 'user', content: 'second question' }] },
    });
    assert.equal(connection.status, 200);
    const frames = await connection.ended;
    const messageId = connection.headers['x-message-id'] as string;
    assert.deepEqual(
      frames.map((frame) => [frame.event, frame.data]),
      [
        ['chatId', { chatId: first.sessionId }],
        ['start', { type: 'start', sessionId: first.sessionId, messageId }],
        ['status', { type: 'status', status: 'reasoning', content: 'thinking…' }],
        ['chunk', { type: 'text', content: 'Sec' }],
        ['chunk', { type: 'text', content: 'ond' }],
        ['end', { type: 'end', sessionId: first.sessionId, messageId }],
      ],
    );
    const upstream = harness.fake.chatRequests.at(-1)!.body as any;
    assert.deepEqual(
      upstream.messages.map((message: any) => [message.role, message.content]),
      [['system', 'You are a writer.'], ['user', 'first question'], ['assistant', 'First answer'], ['user', 'second question']],
    );

    // Resuming after the first chunk replays exactly the rest, in LLMChat's frames.
    const cursor = frames[3]!.id!;
    const resumed = await openSse(`${harness.baseUrl}/api/chat/completions/${messageId}/stream`, {
      method: 'GET', headers: { ...bearer(harness.user.token), 'last-event-id': cursor },
    });
    assert.deepEqual((await resumed.ended).map((frame) => frame.event), ['chunk', 'end']);
  });

  it('keeps another user’s chat out of reach: the same id gives them a chat of their own; 404 for another user’s agent, 400 for a bad body', async () => {
    harness.fake.script(answer([text('mine')]));
    const mine = json(await chat({ agentId, messages: [{ role: 'user', content: 'my secret question' }] })).data;
    const other = await signUp(harness.app);
    const asOther = (url: string, payload: object) =>
      harness.app.inject({ method: 'POST', url, headers: bearer(other.token), payload });
    const provider = await asOther('/api/providers', {
      name: 'Fake', provider_type: 'openai', base_url: harness.fake.openaiBaseUrl, api_key: 'sk-other-0123456789abcdef', default_model: 'fake-model',
    });
    assert.equal(provider.statusCode, 200, provider.body);
    const otherAgent = await asOther('/api/agents', { name: 'Theirs', provider: json(provider).data.id, config: { model: 'fake-model' } });
    assert.equal(otherAgent.statusCode, 200, otherAgent.body);

    // The writer agent is this user's own, so the other user cannot even use it.
    const foreign = await chat({ agentId, sessionId: mine.sessionId, messages: [{ role: 'user', content: 'hi' }] }, other.token);
    assert.equal(foreign.statusCode, 404);
    assert.equal(json(foreign).code, 'NOT_FOUND');

    // With their own agent, the first user's conversation id is only a client id to them: a new chat of their own.
    harness.fake.script(answer([text('theirs')]));
    const theirs = await chat({ agentId: json(otherAgent).data.id, sessionId: mine.sessionId, messages: [{ role: 'user', content: 'hi' }] }, other.token);
    assert.equal(theirs.statusCode, 200, theirs.body);
    assert.equal(json(theirs).data.sessionId, mine.sessionId);
    assert.notEqual(json(theirs).data.conversationId, mine.sessionId);
    assert.doesNotMatch(JSON.stringify((harness.fake.chatRequests.at(-1)!.body as any).messages), /my secret question/);
    const stillMine = await harness.dependencies.repositories.messages.listForConversation(harness.user.id, mine.sessionId, {});
    assert.deepEqual(stillMine.map((message) => message.content), ['my secret question', 'mine']);
    assert.equal((await chat({ agentId: 'no-such-agent', messages: [{ role: 'user', content: 'hi' }] })).statusCode, 404);

    const bad = await chat({ agentId, messages: [{ role: 'assistant', content: 'no question' }] });
    assert.equal(bad.statusCode, 400);
    assert.match(json(bad).message, /end with a user message/);
    assert.equal(json(bad).success, false);
  });

  it('reports an upstream failure as an error frame in the stream', async () => {
    harness.fake.script(httpError(400, { message: 'bad request upstream' }));
    const connection = await openSse(`${harness.baseUrl}/api/chat/completions`, {
      headers: bearer(harness.user.token), body: { agentId, stream: true, messages: [{ role: 'user', content: 'fail please' }] },
    });
    const frames = await connection.ended;
    assert.deepEqual(frames.map((frame) => frame.event), ['chatId', 'start', 'error']);
    assert.equal(frames[2]!.data.type, 'error');
    assert.equal(frames[2]!.data.content, frames[2]!.data.message);
  });
});
