import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { chatTestEnvironment, openSse } from '../../test/support/chat-harness.ts';
import { answer, echoedCredential, httpError, startFakeUpstream, streamError, text, type FakeReply, type FakeUpstream } from '../../test/support/fake-upstream/index.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../test/support/test-app.ts';
import { createAdmin } from '../cli/ensure-admin.ts';
import { openDatabase } from '../storage/database.ts';
import { startFakePlatforms } from '../../test/support/fake-platforms/fake-platforms.ts';
import { connectWs } from './ws-chat/ws-test-client.ts';

/** A key nobody else has; its middle is checked too, so a partial echo counts as a leak. */
const canaryKey = (owner: string) => `sk-canary-${owner}-${randomBytes(24).toString('base64url')}`;
const middleOf = (key: string) => key.slice(14, 30);

/** What the fake says back, each time with the very credential header it received. */
const echo = `Incorrect API key provided: ${echoedCredential}. You can find your API key at https://example.test/keys.`;
const faults: Array<[string, () => FakeReply]> = [
  ['401', () => httpError(401, { message: echo })],
  ['403', () => httpError(403, { message: echo })],
  ['429', () => httpError(429, { message: echo })],
  ['500', () => httpError(500, { message: echo })],
  ['a mid-stream error event', () => answer([text('Partly '), streamError(echo)])],
];

describe('no provider key reaches a user or a log through upstream error text', () => {
  let fake: FakeUpstream;
  let test: TestApp;
  let baseUrl: string;
  let user: { id: string; token: string };
  let adminToken: string;
  const systemKey = canaryKey('system');
  const userKey = canaryKey('user');
  let userProviderId: string;
  /** Everything a client received, from every surface. */
  const seen: string[] = [];

  before(async () => {
    fake = await startFakeUpstream();
    test = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
      env: chatTestEnvironment({ OPENAI_API_KEY: systemKey, OPENAI_BASE_URL: fake.openaiBaseUrl, COLLOQUY_UPSTREAM_MAX_RETRIES: '0' }),
    });
    await test.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(test.app.server.address() as AddressInfo).port}`;
    const signed = await signUp(test.app);
    user = { id: signed.id, token: signed.token };
    await createAdmin(test.dependencies, { username: 'hygieneadmin', password: 'admin password 1' });
    adminToken = json(await test.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'hygieneadmin', password: 'admin password 1' } })).data.token;
    const created = await test.app.inject({
      method: 'POST', url: '/api/providers', headers: bearer(user.token),
      payload: { name: 'Own', provider_type: 'openai', base_url: fake.openaiBaseUrl, api_key: userKey, default_model: 'fake-model' },
    });
    assert.equal(created.statusCode, 200, created.body);
    userProviderId = json(created).data.id;
  });
  after(async () => {
    await test.close();
    await fake.close();
  });

  const providers = () => [
    { label: 'system provider (environment)', key: systemKey, providerId: 'env-openai' },
    { label: 'user provider', key: userKey, providerId: userProviderId },
  ];

  function assertClean(texts: string[], where: string) {
    for (const textSeen of texts) {
      for (const key of [systemKey, userKey]) {
        assert.ok(!textSeen.includes(key), `${where}: the key reached the client: ${textSeen.slice(0, 400)}`);
        assert.ok(!textSeen.includes(middleOf(key)), `${where}: part of the key reached the client: ${textSeen.slice(0, 400)}`);
      }
    }
  }

  /** Runs `drive` once per provider and fault, with the fault scripted, and checks what came back. */
  async function everyFault(surface: string, drive: (model: string, providerId: string) => Promise<string[]>) {
    for (const provider of providers()) {
      for (const [name, reply] of faults) {
        fake.script(reply());
        const before = fake.chatRequests.length;
        const texts = await drive(`${provider.providerId}/fake-model`, provider.providerId);
        assert.equal(fake.chatRequests.length, before + 1, `${surface}, ${provider.label}, ${name}: the upstream was asked once`);
        // The fake really echoed this provider's key: the test is about something that was there.
        assert.equal(fake.chatRequests.at(-1)!.headers.authorization, `Bearer ${provider.key}`);
        assert.ok(texts.join('').length > 0, `${surface}: something came back`);
        assertClean(texts, `${surface}, ${provider.label}, ${name}`);
        seen.push(...texts);
      }
    }
  }

  const openai = () => new OpenAI({ apiKey: user.token, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
  const caught = async (run: () => Promise<unknown>): Promise<string[]> => {
    try {
      return [JSON.stringify(await run())];
    } catch (error) {
      const apiError = error as { message?: string; error?: unknown; status?: number };
      return [String(apiError.message), JSON.stringify(apiError.error ?? null), String(apiError.status)];
    }
  };

  it('on /v1/chat/completions relayed (openai client, streamed and not, and raw SSE)', async () => {
    await everyFault('relay, not streamed', (model) =>
      caught(() => openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] })),
    );
    await everyFault('relay, streamed', (model) =>
      caught(async () => {
        const parts: unknown[] = [];
        for await (const chunk of await openai().chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'Hi' }] })) parts.push(chunk);
        return parts;
      }),
    );
    await everyFault('relay, raw SSE', async (model) => {
      const connection = await openSse(`${baseUrl}/v1/chat/completions`, { headers: bearer(user.token), body: { model, stream: true, messages: [{ role: 'user', content: 'Hi' }] } });
      await connection.ended;
      return [connection.body()];
    });
  });

  it('on /v1/chat/completions with a session (a stored turn), and in what is stored', async () => {
    await everyFault('session, streamed', async (model) => {
      const sessionId = `hygiene-${randomBytes(4).toString('hex')}`;
      const connection = await openSse(`${baseUrl}/v1/chat/completions`, {
        headers: bearer(user.token), body: { model, stream: true, session_id: sessionId, messages: [{ role: 'user', content: 'Hi' }] },
      });
      await connection.ended;
      const stored = await test.app.inject({ url: `/api/messages?conversation_id=${connection.headers['x-conversation-id']}`, headers: bearer(user.token) });
      const failed = (json(stored).data.messages as any[]).find((message) => message.role === 'assistant');
      assert.equal(failed?.status, 'failed', 'the turn failed and says so');
      return [connection.body(), stored.body];
    });
    await everyFault('session, not streamed', (model) =>
      caught(() => openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], session_id: `hygiene-${randomBytes(4).toString('hex')}` } as never)),
    );
  });

  it('on Luxx /api/messages/stream, LLMChat agent chat and the StellarByte WebSocket', async () => {
    await everyFault('Luxx stream', async (model, providerId) => {
      const conversation = await test.app.inject({ method: 'POST', url: '/api/conversations', headers: bearer(user.token), payload: { title: 'T', provider_id: providerId, model: 'fake-model' } });
      const conversationId = json(conversation).data.id;
      const connection = await openSse(`${baseUrl}/api/messages/stream`, { headers: bearer(user.token), body: { conversation_id: conversationId, content: 'Hi' } });
      await connection.ended;
      const stored = await test.app.inject({ url: `/api/messages?conversation_id=${conversationId}`, headers: bearer(user.token) });
      void model;
      // The upstream's own words, readable: never `[object Object]`.
      const error = connection.frames.find((frame) => frame.event === 'error');
      assert.match(String(error?.data?.content), /Incorrect API key provided: Bearer sk-…/);
      assert.doesNotMatch(connection.body(), /object Object/);
      return [connection.body(), stored.body];
    });
    await everyFault('LLMChat agent chat', async (_model, providerId) => {
      const agent = await test.app.inject({
        method: 'POST', url: '/api/agents', headers: bearer(user.token),
        payload: { name: `Helper ${randomBytes(3).toString('hex')}`, description: 'd', provider: providerId, config: { model: 'fake-model' } },
      });
      assert.equal(agent.statusCode, 200, agent.body);
      const connection = await openSse(`${baseUrl}/api/chat/completions`, {
        headers: bearer(user.token), body: { agentId: json(agent).data.id, stream: true, messages: [{ role: 'user', content: 'Hi' }] },
      });
      await connection.ended;
      return [connection.body()];
    });
    await everyFault('StellarByte WebSocket', async (model) => {
      const client = await connectWs(`${baseUrl.replace('http://', 'ws://')}/ws/chat?token=${user.token}`);
      await client.waitFor((frame) => frame.event === 'session_start');
      client.send({ type: 'chat.message', content: 'Hi', model });
      await client.waitFor((frame) => frame.event === 'message_stop' || frame.event === 'error');
      client.socket.close();
      const sessionId = client.frames[0]!.data.session_id;
      const stored = await test.app.inject({ url: `/api/sessions/${sessionId}/messages`, headers: bearer(user.token) });
      return [JSON.stringify(client.frames), stored.body];
    });
  });

  it('on Anthropic /v1/messages (the official client, streamed and not)', async () => {
    const anthropic = () => new Anthropic({ apiKey: user.token, baseURL: baseUrl, maxRetries: 0 });
    await everyFault('Anthropic, not streamed', (model) =>
      caught(() => anthropic().messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })),
    );
    await everyFault('Anthropic, streamed', (model) =>
      caught(async () => {
        const events: unknown[] = [];
        for await (const event of await anthropic().messages.create({ model, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hi' }] })) events.push(event);
        return events;
      }),
    );
  });

  it('on model listing and the provider test', async () => {
    for (const provider of providers()) {
      fake.modelListError = httpError(401, { message: echo });
      const listed = await test.app.inject({ url: `/webapi/models/${provider.providerId}`, headers: bearer(user.token) });
      const tested = await test.app.inject({ method: 'POST', url: `/api/providers/${provider.providerId}/test`, headers: bearer(adminToken), payload: {} });
      fake.modelListError = undefined;
      assert.ok(fake.requests.at(-1)!.headers.authorization?.startsWith('Bearer sk-canary'), 'the list request carried the key');
      assertClean([listed.body, tested.body], `models and test, ${provider.label}`);
      seen.push(listed.body, tested.body);
    }
  });

  it('on an Ollama pull whose upstream (a proxy holding a key) echoes it in its error line', async () => {
    const ollamaKey = canaryKey('ollama');
    const created = await test.app.inject({
      method: 'POST', url: '/api/providers', headers: bearer(user.token),
      payload: { name: 'Pull', provider_type: 'ollama', base_url: fake.url, api_key: ollamaKey },
    });
    assert.equal(created.statusCode, 200, created.body);
    fake.pull = { error: `proxy refused key Bearer ${ollamaKey}` };
    try {
      const pulled = await test.app.inject({ method: 'POST', url: `/webapi/models/${json(created).data.id}/pull`, headers: bearer(user.token), payload: { model: 'x' } });
      assert.match(pulled.body, /proxy refused key Bearer …|proxy refused key Bearer sk-…/);
      assert.ok(!pulled.body.includes(ollamaKey) && !pulled.body.includes(middleOf(ollamaKey)), pulled.body);
    } finally {
      fake.pull = {};
    }
  });

  it('on the agent platforms (FastGPT, Dify) echoing their key in HTTP errors and a Dify stream error', async () => {
    const platformKey = canaryKey('platform');
    const platforms = await startFakePlatforms({ apiKey: platformKey });
    try {
      for (const [type, platformUrl] of [['fastgpt', platforms.fastgptBaseUrl], ['dify', platforms.difyBaseUrl]] as const) {
        const provider = await test.app.inject({ method: 'POST', url: '/api/providers', headers: bearer(user.token), payload: { name: `My ${type}`, provider_type: type, base_url: platformUrl, api_key: platformKey } });
        assert.equal(provider.statusCode, 200, provider.body);
        const agent = await test.app.inject({ method: 'POST', url: '/api/agents', headers: bearer(user.token), payload: { name: `${type} app`, provider: json(provider).data.id, config: {} } });
        assert.equal(agent.statusCode, 200, agent.body);
        const replies = [
          { chunks: [], httpError: { status: 401, code: 'unauthorized', message: `Access token Bearer ${platformKey} is invalid` } },
          { chunks: [], httpError: { status: 500, code: 'internal_error', message: `upstream rejected ${platformKey}` } },
          ...(type === 'dify' ? [{ chunks: ['Partly '], streamError: { code: 'invalid_param', message: `bad key ${platformKey}` } }] : []),
        ];
        for (const reply of replies) {
          platforms.script(reply);
          const connection = await openSse(`${baseUrl}/api/chat/completions`, {
            headers: bearer(user.token), body: { agentId: json(agent).data.id, stream: true, messages: [{ role: 'user', content: 'Hi' }] },
          });
          await connection.ended;
          const body = connection.body();
          assert.match(body, /error/, `${type}: the failure was reported`);
          assert.ok(!body.includes(platformKey) && !body.includes(middleOf(platformKey)), `${type}: ${body}`);
          seen.push(body);
        }
      }
      assert.ok(!test.logs.some((line) => line.includes(middleOf(platformKey))), 'no platform key in the log');
    } finally {
      await platforms.close();
    }
  });

  it('in the database and in the log', async () => {
    const rows = await test.dependencies.database.db.selectFrom('messages').selectAll().execute();
    assert.ok(rows.some((row) => row.status === 'failed' && typeof row.error === 'string' && row.error.length > 0), 'failed turns were stored');
    assertClean(rows.map((row) => JSON.stringify(row)), 'stored messages');
    assert.ok(test.logs.some((line) => line.includes('Incorrect API key provided')), 'upstream errors were logged');
    assertClean(test.logs, 'log lines');
    // What users did get is the upstream's word with the key masked.
    assert.ok(seen.some((line) => line.includes('Incorrect API key provided')), 'the upstream message itself came through');
    assert.ok(seen.some((line) => /sk-…[A-Za-z0-9_-]{4}/.test(line)), 'the key shows only as its mask');
  });
});
