import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSse, startChatHarness, type ChatHarness } from '../../../test/support/chat-harness.ts';
import { testDatabases } from '../../../test/support/databases.ts';
import { answer, httpError, reasoning, text } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json } from '../../../test/support/test-app.ts';
import { createAdmin } from '../../cli/ensure-admin.ts';
import { readTestServices } from '../../config/load-config.ts';
import { connectWs, refusedStatus, textOf } from './ws-test-client.ts';

const { redisUrl } = readTestServices();
/** StellarChat's web app is served from its own origin (Vite's dev server here). */
const origin = 'http://localhost:5173';
const alias = 'deepseek-ai/DeepSeek-R1';
const aliases = { [alias]: 'Upstream/upstream-r1', 'ghost-model': 'nowhere/some-model' };

for (const database of testDatabases()) {
  const scaledOut = database.name === 'postgres' && redisUrl !== undefined;
  describe(`StellarChat's web app, unchanged, from another origin (${database.name}${scaledOut ? ' + redis' : ''})`, () => {
    let harness: ChatHarness;
    let wsBase: string;
    before(async () => {
      harness = await startChatHarness(await database.open(), {
        env: { COLLOQUY_CORS_ORIGINS: '*', COLLOQUY_MODEL_ALIASES: JSON.stringify(aliases), ...(scaledOut ? { REDIS_URL: redisUrl! } : {}) },
        dependencies: { redisKeyPrefix: `colloquy-test-${process.pid}-${Date.now()}:` },
      });
      wsBase = harness.baseUrl.replace('http://', 'ws://');
      // The operator's provider, which guests reach; the alias points at it by name.
      await createAdmin(harness.dependencies, { username: `web-admin${process.pid}`, password: 'admin passphrase' });
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `web-admin${process.pid}`, password: 'admin passphrase' } });
      const provider = await harness.app.inject({
        method: 'POST', url: '/api/providers', headers: bearer(json(login).data.token),
        payload: { name: 'Upstream', provider_type: 'openai', base_url: harness.fake.openaiBaseUrl, api_key: 'sk-operator-0000000000000000', default_model: 'upstream-default', is_system: true },
      });
      assert.equal(provider.statusCode, 200, provider.body);
    });
    after(() => harness.close());

    /** The web app's fetch: JSON content type, its origin, and the key as a bearer token when it has one. */
    const webApp = (method: string, url: string, options: { key?: string; body?: unknown } = {}) =>
      harness.app.inject({
        method: method as 'POST',
        url,
        headers: { 'content-type': 'application/json', origin, ...(options.key ? bearer(options.key) : {}) },
        ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
      });
    const mintKey = async () => {
      const created = await webApp('POST', '/api/api-keys', { body: { name: 'my browser' } });
      assert.equal(created.statusCode, 200, created.body);
      return json(created) as { id: string; key: string; name: string; created_at: string; is_active: boolean };
    };

    it('answers preflights for its cross-origin calls, allowing Authorization and Content-Type', async () => {
      const preflights: Array<[string, string, string]> = [
        ['/api/api-keys', 'POST', 'content-type'],
        ['/api/api-keys', 'GET', 'content-type'],
        ['/api/api-keys/some-id/deactivate', 'POST', 'content-type'],
        ['/api/api-keys/some-id', 'DELETE', 'content-type'],
        ['/api/chat/completions', 'POST', 'authorization,content-type'],
        ['/api/models', 'GET', 'authorization,content-type'],
      ];
      for (const [url, method, requested] of preflights) {
        const preflight = await harness.app.inject({
          method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': requested },
        });
        assert.equal(preflight.statusCode, 204, `${method} ${url}: ${preflight.body}`);
        assert.equal(preflight.headers['access-control-allow-origin'], '*');
        assert.match(String(preflight.headers['access-control-allow-methods']), new RegExp(`\\b${method}\\b`));
        const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase().split(/\s*,\s*/);
        for (const header of requested.split(',')) assert.ok(allowed.includes(header), `${url} allows ${header}: ${allowed.join(', ')}`);
      }
      const refused = await webApp('POST', '/api/chat/completions', { body: { model: alias, messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.headers['access-control-allow-origin'], '*', 'errors are readable cross-origin too');
    });

    it('mints a guest key, chats over the WebSocket with an alias, finds the history on reconnect, and loses access once deactivated', async () => {
      const key = await mintKey();
      assert.ok(key.key && key.id && key.name === 'my browser' && key.created_at && key.is_active === true, 'key, id, name, created_at, is_active in one object');
      assert.deepEqual(json(await webApp('GET', '/api/api-keys')), { data: [] }, 'the anonymous list the key page loads');

      const models = await webApp('GET', '/api/models', { key: key.key });
      assert.equal(models.statusCode, 200, models.body);
      assert.equal(json(models).data[0].id, alias, "the model picker offers the alias");

      // First connection: no session yet; the alias model is named on the URL.
      harness.fake.script(answer([reasoning('Think first.'), text('First '), text('answer.')], { usage: { promptTokens: 5, completionTokens: 3 } }));
      const first = await connectWs(`${wsBase}/api/ws/chat?api_key=${key.key}&model=${encodeURIComponent(alias)}`, { origin });
      const start = await first.waitFor((frame) => frame.event === 'session_start');
      assert.equal(first.frames[0], start, 'session_start comes first, before the client says anything');
      const sessionId = start.data.session_id as string;
      first.send({ type: 'chat.message', content: 'First question' });
      await first.waitFor((frame) => frame.event === 'message_stop');
      assert.equal(first.frames.at(-1)!.event, 'message_stop');
      const thinking = first.frames.filter((frame) => frame.event === 'content_block_delta' && frame.data.delta.reasoning_content !== undefined);
      assert.deepEqual(thinking.map((frame) => frame.data.delta.reasoning_content), ['Think first.']);
      assert.equal(textOf(first.frames), 'First answer.');
      assert.equal(first.frames.find((frame) => frame.event === 'message_delta')!.data.usage.output_tokens, 3);
      const firstCall = harness.fake.chatRequests.at(-1)!;
      assert.equal(firstCall.model, 'upstream-r1', 'the alias reached its provider as its target model');
      assert.equal(firstCall.headers.authorization, 'Bearer sk-operator-0000000000000000');
      first.socket.close();

      // Reconnect exactly as the web app does: `?session_id=…&api_key=…`.
      harness.fake.script(answer([text('Second answer.')]));
      const again = await connectWs(`${wsBase}/api/ws/chat?session_id=${sessionId}&api_key=${key.key}`, { origin });
      assert.equal((await again.waitFor((frame) => frame.event === 'session_start')).data.session_id, sessionId);
      again.send({ type: 'chat.message', content: 'Second question' });
      await again.waitFor((frame) => frame.event === 'message_stop');
      const prompt = (harness.fake.chatRequests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> }).messages;
      assert.deepEqual(prompt.map((message) => [message.role, message.content]), [
        ['user', 'First question'], ['assistant', 'First answer.'], ['user', 'Second question'],
      ]);
      again.socket.close();
      const stored = await webApp('GET', `/api/sessions/${sessionId}/messages`, { key: key.key });
      assert.equal(stored.statusCode, 200, stored.body);
      assert.deepEqual(json(stored).map((message: { role: string; content: string }) => [message.role, message.content]), [
        ['user', 'First question'], ['assistant', 'First answer.'], ['user', 'Second question'], ['assistant', 'Second answer.'],
      ]);

      // The web app's own deactivate call carries no key: refused with JSON. With the key it works.
      const anonymous = await webApp('POST', `/api/api-keys/${key.id}/deactivate`);
      assert.equal(anonymous.statusCode, 401);
      assert.equal(json(anonymous).code, 'UNAUTHORIZED');
      const deactivated = await webApp('POST', `/api/api-keys/${key.id}/deactivate`, { key: key.key });
      assert.equal(deactivated.statusCode, 200, deactivated.body);
      assert.equal(json(deactivated).is_active, false);

      assert.equal(await refusedStatus(`${wsBase}/api/ws/chat?session_id=${sessionId}&api_key=${key.key}`), 401);
      assert.equal((await webApp('GET', '/api/models', { key: key.key })).statusCode, 401);
      const chat = await webApp('POST', '/api/chat/completions', { key: key.key, body: { model: alias, messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(chat.statusCode, 401);
    });

    it("creates an unknown session_id for the caller and echoes it; another caller cannot reach it", async () => {
      const key = await mintKey();
      const sessionId = `stellar-${Date.now()}`;
      const client = await connectWs(`${wsBase}/api/ws/chat?session_id=${sessionId}&api_key=${key.key}`, { origin });
      assert.equal((await client.waitFor((frame) => frame.event === 'session_start')).data.session_id, sessionId);
      client.socket.close();
      assert.equal(json(await webApp('GET', `/api/sessions/${sessionId}`, { key: key.key })).id, sessionId);

      const stranger = await mintKey();
      assert.equal(await refusedStatus(`${wsBase}/api/ws/chat?session_id=${sessionId}&api_key=${stranger.key}`), 404);
      assert.equal((await webApp('GET', `/api/sessions/${sessionId}`, { key: stranger.key })).statusCode, 404);
    });

    it('ends every reply with message_stop, after an unresolvable alias and an upstream failure too', async () => {
      const key = await mintKey();
      const client = await connectWs(`${wsBase}/api/ws/chat?api_key=${key.key}&model=ghost-model`, { origin });
      client.send({ type: 'chat.message', content: 'hello?' });
      const error = await client.waitFor((frame) => frame.event === 'error');
      assert.match(error.data.message, /"ghost-model" is an alias of "nowhere\/some-model"/);
      await client.waitFor((frame) => frame.event === 'message_stop');
      client.socket.close();

      harness.fake.script(httpError(400, { message: 'fake upstream: bad request' }));
      const failing = await connectWs(`${wsBase}/api/ws/chat?api_key=${key.key}`, { origin });
      failing.send({ type: 'chat.message', content: 'fail please' });
      await failing.waitFor((frame) => frame.event === 'error');
      await failing.waitFor((frame) => frame.event === 'message_stop');
      assert.equal(failing.frames.at(-1)!.event, 'message_stop');
      failing.socket.close();
    });

    it('resolves the alias on /api/chat/completions (as the web app posts it) and /v1/chat/completions', async () => {
      const key = await mintKey();
      harness.fake.script(answer([text('Via REST.')]));
      const payload = { model: alias, messages: [{ role: 'user', content: '你好' }], stream: false, max_tokens: 4096, temperature: 0.7, top_p: 0.7, top_k: 50 };
      const response = await webApp('POST', '/api/chat/completions', { key: key.key, body: payload });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['access-control-allow-origin'], '*');
      assert.equal(json(response).choices[0].message.content, 'Via REST.');
      assert.equal(harness.fake.chatRequests.at(-1)!.model, 'upstream-r1');

      harness.fake.script(answer([text('Streamed.')]));
      const stream = await openSse(`${harness.baseUrl}/v1/chat/completions`, {
        headers: { ...bearer(key.key), origin }, body: { ...payload, stream: true },
      });
      assert.equal(stream.status, 200);
      assert.equal(stream.headers['access-control-allow-origin'], '*', 'a streamed reply is readable cross-origin');
      await stream.ended;
      assert.equal(harness.fake.chatRequests.at(-1)!.model, 'upstream-r1');

      const ghost = await webApp('POST', '/v1/chat/completions', { key: key.key, body: { ...payload, model: 'ghost-model' } });
      assert.equal(ghost.statusCode, 400);
      assert.match(json(ghost).error.message, /"ghost-model" is an alias of "nowhere\/some-model", but no enabled provider "nowhere"/);
    });
  });
}
