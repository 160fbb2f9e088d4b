import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { testDatabases } from '../../../test/support/databases.ts';
import { fakeFastGptAppId, startFakePlatforms, type FakePlatforms } from '../../../test/support/fake-platforms/fake-platforms.ts';
import { answer, text } from '../../../test/support/fake-upstream/index.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { createAdmin } from '../../cli/ensure-admin.ts';

const agentKey = 'sk-agent-own-key-0123456789abcdefXYZ';
const platformKey = 'fastgpt-platform-key-0123456789abcdef';

/** What axios sends for LLMChat's web app: its JSON default and the bearer token (no Content-Type without a body). */
const webApp = (token: string, withBody = true) => ({
  accept: 'application/json, text/plain, */*',
  ...(withBody ? { 'content-type': 'application/json' } : {}),
  authorization: `Bearer ${token}`,
});

async function loginAdmin(app: TestApp['app'], dependencies: TestApp['dependencies'], username: string): Promise<string> {
  await createAdmin(dependencies, { username, password: 'admin password 1' });
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'admin password 1' } });
  return json(login).data.token as string;
}

for (const database of testDatabases()) {
  describe(`agents carrying their own endpoint and key (${database.name})`, () => {
    let harness: ChatHarness;
    let platforms: FakePlatforms;
    let admin: string;
    before(async () => {
      harness = await startChatHarness(await database.open());
      platforms = await startFakePlatforms({ apiKey: platformKey });
      admin = await loginAdmin(harness.app, harness.dependencies, `agentadmin${database.name}`);
    });
    after(async () => {
      await harness.close();
      await platforms.close();
    });

    const send = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, body?: unknown) =>
      harness.app.inject({ method, url, headers: webApp(token, body !== undefined), ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    const chat = (agentId: string, token: string) =>
      send('POST', '/api/chat/completions', token, { agentId, messages: [{ role: 'user', content: 'hello' }], stream: false });

    it("stores an admin's agent from LLMChat's form as a system agent whose chats reach its endpoint with its key", async () => {
      // Byte for byte what AgentFormDialog submits (undefined fields are dropped by JSON.stringify).
      const created = await harness.app.inject({
        method: 'POST', url: '/api/agents', headers: webApp(admin),
        payload: JSON.stringify({
          name: 'Support', description: 'FAQ bot', provider: 'openai', endpoint: `${harness.fake.openaiBaseUrl}/chat/completions`,
          apiKey: agentKey, model: 'fake-model', temperature: 0.3, systemPrompt: 'Be brief.', capabilities: [], isActive: true,
          features: { supportsStream: true },
        }),
      });
      assert.equal(created.statusCode, 200, created.body);
      assert.ok(!created.body.includes(agentKey), 'the key is never echoed');
      const agent = json(created).data;
      assert.equal(agent.owner, 'system');
      assert.equal(agent.provider, 'openai');
      assert.equal(agent.endpoint, harness.fake.openaiBaseUrl);
      assert.equal(agent.model, 'fake-model');
      assert.equal(agent.temperature, 0.3);
      assert.equal(agent.systemPrompt, 'Be brief.');
      assert.equal(agent.status, 'active');
      assert.match(agent.apiKeyHint, /^sk-…[A-Za-z0-9]{4}$/);

      // The key is sealed in a system provider made for this agent.
      const stored = await harness.dependencies.providers.repository.findOwned(null, agent.ownProviderId);
      assert.ok(stored?.apiKeyCipher && !stored.apiKeyCipher.includes(agentKey));
      assert.equal(stored.settings.agentId, agent.id);

      // Every user sees the agent, but not its endpoint settings; their chats use its key.
      const listed = json(await send('GET', '/api/agents', harness.user.token)).data.find((item: any) => item.id === agent.id);
      assert.deepEqual([listed.provider, listed.endpoint, listed.apiKeyHint], ['openai', null, null]);
      harness.fake.script(answer([text('Short answer.')]));
      const reply = await chat(agent.id, harness.user.token);
      assert.equal(reply.statusCode, 200, reply.body);
      const upstream = harness.fake.chatRequests.at(-1)!;
      assert.equal(upstream.headers.authorization, `Bearer ${agentKey}`);
      assert.equal((upstream.body as any).temperature, 0.3);

      // The agent's provider serves only the agent: a user without providers is not routed to it.
      const stranger = await signUp(harness.app);
      const before = harness.fake.chatRequests.length;
      const plain = await send('POST', '/v1/chat/completions', stranger.token, { model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(plain.statusCode, 400, plain.body);
      assert.match(plain.body, /no LLM provider is configured/);
      assert.equal(harness.fake.chatRequests.length, before);
    });

    it("an admin agent's own provider serves that agent only: no other user lists, names, borrows or falls back to it", async () => {
      const agent = json(await send('POST', '/api/agents', admin, {
        name: 'Private HR', provider: 'openai', endpoint: harness.fake.openaiBaseUrl, apiKey: agentKey, model: 'fake-model', isActive: true,
      })).data;
      const own = json(await send('GET', `/api/agents/${agent.id}`, admin)).data.ownProviderId as string;
      assert.ok(own, 'admins managing the agent see its provider');
      assert.equal(json(await send('GET', `/api/providers/${own}`, admin)).data.id, own);

      const user = harness.user.token;
      assert.equal(json(await send('GET', `/api/agents/${agent.id}`, user)).data.ownProviderId, null);
      const listed = json(await send('GET', '/api/providers', user)).data;
      assert.ok(!JSON.stringify(listed).includes(own), 'the provider is not listed to users');
      assert.equal((await send('GET', `/api/providers/${own}`, user)).statusCode, 404);

      const before = harness.fake.chatRequests.length;
      const named = await send('POST', '/v1/chat/completions', user, { model: `fake-model`, provider_id: own, messages: [{ role: 'user', content: 'hi' }] });
      const conversation = json(await send('POST', '/api/conversations', user, { title: 'borrow' })).data;
      const luxx = await send('POST', '/api/messages', user, { conversation_id: conversation.id, content: 'hi', provider_id: own, stream: false });
      assert.equal(luxx.statusCode, 404, luxx.body);
      const borrowed = await send('POST', '/api/agents', user, { name: 'Borrower', provider: own, isActive: true });
      if (borrowed.statusCode === 200) {
        assert.equal((await chat(json(borrowed).data.id, user)).statusCode, 400, 'an agent of theirs naming it cannot chat through it');
      }
      const fallback = await send('PUT', `/api/providers/${harness.providerId}`, user, { fallback_provider_id: own });
      assert.equal(fallback.statusCode, 400, fallback.body);
      const withAgentKey = harness.fake.chatRequests.slice(before).filter((request) => request.headers.authorization === `Bearer ${agentKey}`);
      assert.equal(withAgentKey.length, 0, `nothing used the agent's key (the named request answered ${named.statusCode})`);

      // Through the agent itself, the same user still chats with the agent's key.
      harness.fake.script(answer([text('via the agent')]));
      const reply = await chat(agent.id, user);
      assert.equal(reply.statusCode, 200, reply.body);
      assert.equal(harness.fake.chatRequests.at(-1)!.headers.authorization, `Bearer ${agentKey}`);
    });

    it('edits from the form keep the key unless a new one is sent; isActive alone works; delete removes the provider', async () => {
      const agent = json(await send('POST', '/api/agents', admin, {
        name: 'Editable', provider: 'custom', endpoint: harness.fake.openaiBaseUrl, apiKey: agentKey, model: 'fake-model', capabilities: [], isActive: true,
      })).data;
      assert.equal(agent.provider, 'openai-compatible');

      // The edit form sends everything again, without apiKey when the field is left blank.
      const edited = await send('PUT', `/api/agents/${agent.id}`, admin, {
        name: 'Edited', description: 'now described', provider: 'custom', endpoint: agent.endpoint, model: 'fake-model', temperature: 0.5,
        capabilities: ['chat'], isActive: true,
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.deepEqual([json(edited).data.name, json(edited).data.temperature, json(edited).data.apiKeyHint], ['Edited', 0.5, agent.apiKeyHint]);
      harness.fake.script(answer([text('one')]));
      const first = await chat(agent.id, harness.user.token);
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(harness.fake.chatRequests.at(-1)!.headers.authorization, `Bearer ${agentKey}`);

      const newKey = 'sk-rotated-agent-key-9876543210zyxw';
      assert.equal((await send('PUT', `/api/agents/${agent.id}`, admin, { apiKey: newKey })).statusCode, 200);
      harness.fake.script(answer([text('two')]));
      const second = await chat(agent.id, harness.user.token);
      assert.equal(second.statusCode, 200, second.body);
      assert.equal(harness.fake.chatRequests.at(-1)!.headers.authorization, `Bearer ${newKey}`);

      const off = await send('PUT', `/api/agents/${agent.id}`, admin, { isActive: false });
      assert.equal(off.statusCode, 200, off.body);
      assert.deepEqual([json(off).data.status, json(off).data.name, json(off).data.model], ['inactive', 'Edited', 'fake-model']);

      // Inactive system agents: admins see them with includeInactive, users do not; users see their own inactive ones.
      const mine = json(await send('POST', '/api/agents', harness.user.token, { name: 'Mine off', provider: harness.providerId, isActive: false })).data;
      const ids = async (token: string, query = '') => json(await send('GET', `/api/agents${query}`, token)).data.map((item: any) => item.id);
      assert.ok((await ids(admin, '?includeInactive=true')).includes(agent.id));
      assert.ok(!(await ids(admin)).includes(agent.id));
      const usersView = await ids(harness.user.token, '?includeInactive=true');
      assert.ok(!usersView.includes(agent.id));
      assert.ok(usersView.includes(mine.id));
      assert.ok(!(await ids(harness.user.token)).includes(mine.id));
      assert.equal((await chat(agent.id, harness.user.token)).statusCode, 400, 'an inactive agent does not chat');

      assert.equal((await send('DELETE', `/api/agents/${agent.id}`, admin)).statusCode, 200);
      assert.equal(await harness.dependencies.providers.repository.findOwned(null, agent.ownProviderId), undefined);
    });

    it("asks a FastGPT app what it is, and a user's own agent made from that answer chats with the user's key", async () => {
      const info = await send('POST', '/api/agents/fetch-info', harness.user.token, {
        provider: 'fastgpt', endpoint: `${platforms.fastgptBaseUrl}/v1/chat/completions`, apiKey: platformKey, appId: fakeFastGptAppId,
      });
      assert.equal(info.statusCode, 200, info.body);
      const remote = json(info).data;
      assert.deepEqual([remote.name, remote.model, remote.provider], ['Fake FastGPT app', 'gpt-4o-mini', 'fastgpt']);

      const created = await send('POST', '/api/agents', harness.user.token, {
        name: remote.name, description: remote.description, provider: 'fastgpt', endpoint: `${platforms.fastgptBaseUrl}/v1/chat/completions`,
        apiKey: platformKey, appId: fakeFastGptAppId, model: remote.model, capabilities: remote.capabilities, isActive: true, features: remote.features,
      });
      assert.equal(created.statusCode, 200, created.body);
      const agent = json(created).data;
      assert.deepEqual([agent.owner, agent.provider, agent.appId], ['user', 'fastgpt', fakeFastGptAppId]);
      assert.ok(await harness.dependencies.providers.repository.findOwned(harness.user.id, agent.ownProviderId));

      platforms.script({ chunks: ['Hi from FastGPT'] });
      const reply = await chat(agent.id, harness.user.token);
      assert.equal(reply.statusCode, 200, reply.body);
      const upstream = platforms.chatRequests.at(-1)!;
      assert.equal(upstream.path, '/api/v1/chat/completions');
      assert.equal(upstream.headers.authorization, `Bearer ${platformKey}`);

      const other = await signUp(harness.app);
      assert.equal((await send('GET', `/api/agents/${agent.id}`, other.token)).statusCode, 404);
      assert.equal((await send('DELETE', `/api/agents/${agent.id}`, harness.user.token)).statusCode, 200);
      assert.equal(await harness.dependencies.providers.repository.findOwned(harness.user.id, agent.ownProviderId), undefined);
    });

    it('answers remote and input failures with clear 4xx/5xx and never echoes the key', async () => {
      const wrongKey = 'fastgpt-wrong-key-never-echoed-1234';
      const refused = await send('POST', '/api/agents/fetch-info', admin, { provider: 'fastgpt', endpoint: platforms.fastgptBaseUrl, apiKey: wrongKey, appId: fakeFastGptAppId });
      assert.equal(refused.statusCode, 400);
      assert.match(json(refused).message, /FastGPT refused the apiKey \(HTTP 401/);
      assert.ok(!refused.body.includes(wrongKey));
      const noAppId = await send('POST', '/api/agents/fetch-info', admin, { provider: 'fastgpt', endpoint: platforms.fastgptBaseUrl, apiKey: platformKey });
      assert.equal(noAppId.statusCode, 400);
      assert.match(json(noAppId).message, /appId is required/);
      const down = await send('POST', '/api/agents/fetch-info', admin, { provider: 'dify', endpoint: 'http://127.0.0.1:9/v1', apiKey: platformKey });
      assert.equal(down.statusCode, 502);
      assert.equal(json(down).code, 'PROVIDER_ERROR');

      const keyWithoutEndpoint = await send('POST', '/api/agents', harness.user.token, { name: 'x', provider: 'openai', apiKey: agentKey });
      assert.equal(keyWithoutEndpoint.statusCode, 400);
      assert.match(json(keyWithoutEndpoint).message, /send endpoint with apiKey/);
      const unknownPlatform = await send('POST', '/api/agents', harness.user.token, { name: 'x', provider: 'coze', endpoint: 'https://api.coze.com/v1', apiKey: agentKey });
      assert.equal(unknownPlatform.statusCode, 400);
      assert.match(json(unknownPlatform).message, /provider "coze" is not a platform/);
      const limited = await send('POST', '/api/agents', harness.user.token, { name: 'x', provider: harness.providerId, rateLimit: { requestsPerMinute: 5 } });
      assert.equal(limited.statusCode, 400);
      assert.match(json(limited).message, /rate limits are not supported/);
      // Nothing half-made: no provider row was left by the refused requests.
      const providers = json(await harness.app.inject({ method: 'GET', url: '/api/providers', headers: bearer(harness.user.token) })).data;
      assert.ok(!JSON.stringify(providers).includes('Agent: x'));
    });
  });
}

describe('fetch-info outbound rules without a loopback allowance', () => {
  let test: TestApp;
  let platforms: FakePlatforms;
  let admin: string;
  before(async () => {
    test = await createTestApp(await testDatabases()[0]!.open());
    platforms = await startFakePlatforms({ apiKey: platformKey });
    admin = await loginAdmin(test.app, test.dependencies, 'outboundadmin');
  });
  after(async () => {
    await test.close();
    await platforms.close();
  });

  it("refuses a user's private target and allows an admin's, as for user and system providers", async () => {
    const body = JSON.stringify({ provider: 'dify', endpoint: platforms.difyBaseUrl, apiKey: platformKey });
    const user = await signUp(test.app);
    const refused = await test.app.inject({ method: 'POST', url: '/api/agents/fetch-info', headers: webApp(user.token), payload: body });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(json(refused).code, 'OUTBOUND_BLOCKED');
    assert.equal(platforms.requests.length, 0, 'refused before connecting');
    const allowed = await test.app.inject({ method: 'POST', url: '/api/agents/fetch-info', headers: webApp(admin), payload: body });
    assert.equal(allowed.statusCode, 200, allowed.body);
    assert.equal(json(allowed).data.name, 'Fake Dify app');
  });
});
