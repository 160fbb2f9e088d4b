import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { answer, httpError, startFakeUpstream, text, type FakeUpstream } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp, steppingClock, type TestApp } from '../../../test/support/test-app.ts';
import { createAdmin } from '../../cli/ensure-admin.ts';
import { createTestOutboundHttp } from '../../providers/test-support/test-outbound-http.ts';
import { createProviderTestApp } from '../../../test/support/provider-test-app.ts';

const providerKeys = [
  'api_key', 'base_url', 'context_window', 'created_at', 'default_model', 'enabled', 'fallback_model', 'fallback_provider_id', 'id',
  'is_default', 'is_system', 'max_tokens', 'models', 'name', 'preset', 'provider_type', 'read_only', 'settings', 'updated_at', 'user_id',
];
const aliceKey = 'sk-alice-0123456789abcdefghijWXYZ';
const adminKey = 'sk-admin-0123456789abcdefghijADMN';
const environmentKey = 'sk-environment-deepseek-0123456789';
const secrets = [aliceKey, adminKey, environmentKey, 'sk-alice-second-key-9876543210zz'];

for (const database of testDatabases()) {
  describe(`provider routes (${database.name})`, () => {
    let harness: TestApp;
    let fake: FakeUpstream;
    let alice: { id: string; token: string };
    let bob: { id: string; token: string };
    let admin: { id: string; token: string };
    /** Every response body of the suite, checked at the end for keys. */
    const bodies: string[] = [];

    before(async () => {
      fake = await startFakeUpstream();
      harness = await createProviderTestApp(await database.open(), {
        http: createTestOutboundHttp({ allowHosts: ['127.0.0.1'] }),
        env: { DEEPSEEK_API_KEY: environmentKey, OLLAMA_BASE_URL: fake.url },
        dependencies: { clock: steppingClock() },
      });
      alice = await signUp(harness.app);
      bob = await signUp(harness.app);
      const password = 'admin passphrase';
      const created = await createAdmin(harness.dependencies, { username: `chief${process.pid}`, password });
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `chief${process.pid}`, password } });
      admin = { id: created.id, token: json(login).data.token };
    });
    after(async () => {
      await harness.close();
      await fake.close();
    });

    async function request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, as: { token: string }, payload?: unknown) {
      const response = await harness.app.inject({ method, url, headers: bearer(as.token), ...(payload === undefined ? {} : { payload: payload as object }) });
      bodies.push(response.body);
      return response;
    }
    const create = async (as: { token: string }, payload: unknown) => {
      const response = await request('POST', '/api/providers', as, payload);
      assert.equal(response.statusCode, 200, response.body);
      return json(response).data;
    };

    it("creates a provider in Luxx's shape, stores its key sealed and shows it only masked", async () => {
      const created = await create(alice, {
        name: 'DeepSeek', provider_type: 'openai', base_url: 'https://api.deepseek.com/v1/', api_key: aliceKey, default_model: 'deepseek-chat', is_default: true,
      });
      assert.deepEqual(Object.keys(created).sort(), providerKeys);
      assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
      assert.equal(created.user_id, alice.id);
      assert.equal(created.base_url, 'https://api.deepseek.com/v1');
      assert.equal(created.api_key, 'sk-…WXYZ');
      assert.equal(created.is_default, true);
      assert.equal(created.enabled, true);
      assert.equal(created.is_system, false);
      assert.equal(created.read_only, false);

      const row = await harness.dependencies.database.db.selectFrom('providers').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.match(row.apiKeyCipher!, /^v1\./);
      assert.ok(!row.apiKeyCipher!.includes(aliceKey));

      const fetched = await request('GET', `/api/providers/${created.id}`, alice);
      assert.deepEqual(json(fetched).data, created);
      const list = json(await request('GET', '/api/providers/', alice)).data;
      assert.equal(list.total, list.providers.length);
      assert.deepEqual(list.providers[0], created, 'own providers first');
    });

    it('fills base_url and models from a preset given as provider_type, preset field or alias', async () => {
      const byType = await create(alice, { provider_type: 'groq', api_key: aliceKey });
      assert.equal(byType.provider_type, 'groq');
      assert.equal(byType.preset, 'groq');
      assert.equal(byType.name, 'Groq');
      assert.equal(byType.base_url, 'https://api.groq.com/openai/v1');
      assert.ok(byType.models.includes('llama-3.3-70b-versatile'));

      const byField = await create(alice, { name: 'Kimi', provider_type: 'openai', preset: 'moonshot' });
      assert.equal(byField.provider_type, 'openai');
      assert.equal(byField.preset, 'moonshot');
      assert.equal(byField.base_url, 'https://api.moonshot.cn/v1');
      assert.equal(byField.api_key, null);

      const byAlias = await create(alice, { provider_type: 'qwen' });
      assert.equal(byAlias.provider_type, 'dashscope');
      assert.equal(byAlias.base_url, 'https://dashscope.aliyuncs.com/compatible-mode/v1');

      const anthropic = await create(alice, { provider_type: 'anthropic', api_key: aliceKey });
      assert.equal(anthropic.base_url, 'https://api.anthropic.com/v1');
      assert.ok(anthropic.models.includes('claude-sonnet-4-5'), "the vendor's known models on its own endpoint");
      const selfHosted = await create(alice, { provider_type: 'openai', base_url: 'https://llm.internal.example/v1' });
      assert.deepEqual(selfHosted.models, [], 'but not on another server that speaks its format');

      const azure = await create(alice, { provider_type: 'azure', settings: { resource_name: 'my-resource', api_version: '2024-10-21' }, api_key: aliceKey });
      assert.equal(azure.base_url, null);
      assert.deepEqual(azure.settings, { resource_name: 'my-resource', api_version: '2024-10-21' });
    });

    it('answers 400 with a clear message for a bad type, URL or missing setting', async () => {
      const cases: [unknown, RegExp][] = [
        [{ provider_type: 'openia' }, /provider_type "openia" is not supported; use one of openai, openai-compatible, anthropic/],
        [{ name: 'x' }, /provider_type is required/],
        [{ provider_type: 'openai', base_url: 'ftp://files.example.com' }, /base_url must be an http or https URL, not "ftp"/],
        [{ provider_type: 'openai', base_url: 'not a url' }, /base_url "not a url" is not a valid URL/],
        [{ provider_type: 'openai', base_url: 'file:///etc/passwd' }, /http or https/],
        [{ provider_type: 'openai', base_url: 'https://user:pw@api.example.com/v1' }, /must not contain credentials/],
        [{ provider_type: 'openai-compatible' }, /base_url is required for provider_type openai-compatible/],
        [{ provider_type: 'azure' }, /azure needs base_url or settings.resource_name/],
        [{ provider_type: 'azure', settings: { resource_name: 'evil.example.com/x' } }, /resource_name must be an Azure resource name/],
        [{ provider_type: 'anthropic', preset: 'groq' }, /speaks the OpenAI format/],
        [{ provider_type: 'openai', max_tokens: 0 }, /max_tokens/],
        [{ provider_type: 'openai', fallback_provider_id: 'no-such-provider' }, /fallback_provider_id no-such-provider is not a provider this one can use/],
      ];
      for (const [payload, message] of cases) {
        const response = await request('POST', '/api/providers', alice, payload);
        assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(json(response).code, 'VALIDATION_ERROR');
        assert.match(json(response).message, message);
      }
      const existing = await create(alice, { provider_type: 'openai' });
      const badUpdate = await request('PUT', `/api/providers/${existing.id}`, alice, { base_url: 'javascript:alert(1)' });
      assert.equal(badUpdate.statusCode, 400);
      assert.match(json(badUpdate).message, /http or https/);
    });

    it("hides one user's providers from another: 404 on every route", async () => {
      const mine = await create(alice, { provider_type: 'openai', api_key: aliceKey, name: 'alice only' });
      for (const [method, url, payload] of [
        ['GET', `/api/providers/${mine.id}`],
        ['PUT', `/api/providers/${mine.id}`, { name: 'taken' }],
        ['DELETE', `/api/providers/${mine.id}`],
        ['POST', `/api/providers/${mine.id}/test`, {}],
      ] as const) {
        const response = await request(method, url, bob, payload);
        assert.equal(response.statusCode, 404, `${method} ${url}`);
        assert.equal(json(response).code, 'NOT_FOUND');
      }
      const bobList = json(await request('GET', '/api/providers', bob)).data.providers;
      assert.ok(!bobList.some((provider: { id: string }) => provider.id === mine.id));
      const fallbackToOthers = await request('POST', '/api/providers', bob, { provider_type: 'openai', fallback_provider_id: mine.id });
      assert.equal(fallbackToOthers.statusCode, 400);
      assert.equal(json(await request('GET', `/api/providers/${mine.id}`, alice)).data.name, 'alice only');
    });

    it('lets only admins create and change system providers, which every user sees without a key hint', async () => {
      const refused = await request('POST', '/api/providers', alice, { provider_type: 'openai', is_system: true });
      assert.equal(refused.statusCode, 403);
      assert.match(json(refused).message, /only admins can create system providers/);

      const system = await create(admin, { name: 'Company OpenAI', provider_type: 'openai', api_key: adminKey, is_system: true });
      assert.equal(system.user_id, null);
      assert.equal(system.is_system, true);
      assert.equal(system.api_key, 'sk-…ADMN', 'admins see the mask');

      const seenByBob = json(await request('GET', `/api/providers/${system.id}`, bob)).data;
      assert.equal(seenByBob.api_key, null, 'users never see a hint of a system key');
      assert.equal(seenByBob.read_only, true);
      const bobChange = await request('PUT', `/api/providers/${system.id}`, bob, { name: 'mine now' });
      assert.equal(bobChange.statusCode, 403);
      assert.equal((await request('DELETE', `/api/providers/${system.id}`, bob)).statusCode, 403);

      const disabled = await request('PUT', `/api/providers/${system.id}`, admin, { enabled: false });
      assert.equal(json(disabled).data.enabled, false);
      assert.equal((await request('GET', `/api/providers/${system.id}`, bob)).statusCode, 404, 'disabled system providers are hidden from users');
      assert.ok(!json(await request('GET', '/api/providers', bob)).data.providers.some((provider: { id: string }) => provider.id === system.id));
      assert.ok(json(await request('GET', '/api/providers', admin)).data.providers.some((provider: { id: string }) => provider.id === system.id));

      assert.equal((await request('DELETE', `/api/providers/${system.id}`, admin)).statusCode, 200);
      assert.equal((await request('GET', `/api/providers/${system.id}`, admin)).statusCode, 404);
    });

    it('lists environment providers to every user, read-only even for admins', async () => {
      const list = json(await request('GET', '/api/providers', bob)).data.providers;
      const deepseek = list.find((provider: { id: string }) => provider.id === 'env-deepseek');
      const ollama = list.find((provider: { id: string }) => provider.id === 'env-ollama');
      assert.equal(deepseek.provider_type, 'deepseek');
      assert.equal(deepseek.base_url, 'https://api.deepseek.com/v1');
      assert.equal(deepseek.is_system, true);
      assert.equal(deepseek.read_only, true);
      assert.equal(deepseek.api_key, null);
      assert.equal(deepseek.default_model, 'deepseek-chat');
      assert.equal(ollama.base_url, fake.url);
      assert.equal(json(await request('GET', '/api/providers/env-deepseek', admin)).data.api_key, 'sk-…6789');
      for (const as of [bob, admin]) {
        const change = await request('PUT', '/api/providers/env-deepseek', as, { name: 'x' });
        assert.equal(change.statusCode, 403);
        assert.match(json(change).message, /environment and is read-only/);
        assert.equal((await request('DELETE', '/api/providers/env-ollama', as)).statusCode, 403);
      }
    });

    it('updates only what is sent: a masked key keeps the key, null removes it, one default per user', async () => {
      const first = await create(alice, { provider_type: 'openai', base_url: fake.openaiBaseUrl, api_key: aliceKey, default_model: 'fake-model', is_default: true });
      const second = await create(alice, { provider_type: 'openai', base_url: fake.openaiBaseUrl, is_default: true });
      const current = json(await request('GET', `/api/providers/${first.id}`, alice)).data;
      assert.equal(current.is_default, false, 'a new default clears the old one');

      // Luxx clients PUT back the whole object they read, masked key included.
      const echoed = await request('PUT', `/api/providers/${first.id}`, alice, { ...current, name: 'Renamed' });
      assert.equal(echoed.statusCode, 200, echoed.body);
      assert.equal(json(echoed).data.api_key, 'sk-…WXYZ');
      assert.equal(json(echoed).data.name, 'Renamed');
      fake.script(answer([text('pong')]));
      const tested = await request('POST', `/api/providers/${first.id}/test`, alice);
      assert.equal(json(tested).data.success, true, tested.body);
      assert.equal(fake.chatRequests.at(-1)!.headers.authorization, `Bearer ${aliceKey}`, 'the real key was kept');

      const rekeyed = json(await request('PUT', `/api/providers/${first.id}`, alice, { api_key: secrets[3] })).data;
      assert.equal(rekeyed.api_key, 'sk-…10zz');
      const cleared = json(await request('PUT', `/api/providers/${first.id}`, alice, { api_key: null, default_model: null })).data;
      assert.equal(cleared.api_key, null);
      assert.equal(cleared.default_model, null);
      assert.equal(cleared.base_url, fake.openaiBaseUrl, 'fields not sent keep their value');
      assert.ok(cleared.updated_at > first.updated_at);
      assert.equal(json(await request('GET', `/api/providers/${second.id}`, alice)).data.is_default, true);
    });

    it('tests a provider: the upstream status and body, the key masked even when echoed back', async () => {
      const provider = await create(alice, { provider_type: 'openai', base_url: fake.openaiBaseUrl, api_key: aliceKey, models: ['fake-model'] });
      fake.script(answer([text('pong')]));
      const success = await request('POST', `/api/providers/${provider.id}/test`, alice, {});
      assert.equal(success.statusCode, 200, success.body);
      const passed = json(success);
      assert.match(passed.message, /^HTTP 200: /);
      assert.equal(passed.data.status_code, 200);
      assert.equal(passed.data.success, true);
      assert.match(passed.data.response_body, /pong/);
      assert.equal(fake.chatRequests.at(-1)!.model, 'fake-model');

      fake.script(httpError(401, { message: `Incorrect API key provided: ${aliceKey}` }));
      const failure = json(await request('POST', `/api/providers/${provider.id}/test`, alice, { model: 'other-model' }));
      assert.equal(failure.data.status_code, 401);
      assert.equal(failure.data.success, false);
      assert.match(failure.message, /^HTTP 401: /);
      assert.match(failure.data.response_body, /Incorrect API key provided: sk-…WXYZ/);
      assert.equal(fake.chatRequests.at(-1)!.model, 'other-model');

      const listOnly = await create(alice, { provider_type: 'ollama', base_url: fake.url });
      const listed = json(await request('POST', `/api/providers/${listOnly.id}/test`, alice));
      assert.equal(listed.data.status_code, 200);
      assert.match(listed.data.response_body, /fake-model/);

      const unreachable = await create(alice, { provider_type: 'openai', base_url: 'http://127.0.0.1:9/v1', models: ['m'] });
      const down = json(await request('POST', `/api/providers/${unreachable.id}/test`, alice));
      assert.equal(down.data.status_code, 0);
      assert.equal(down.data.success, false);
      assert.match(down.message, /^Connection failed: /);

      const privateTarget = await create(alice, { provider_type: 'openai', base_url: 'http://10.1.2.3/v1', api_key: aliceKey, models: ['m'] });
      const blocked = json(await request('POST', `/api/providers/${privateTarget.id}/test`, alice));
      assert.equal(blocked.data.success, false);
      assert.match(blocked.message, /^Outbound request blocked: /);
    });

    it('audits creating, changing and deleting providers, without keys', async () => {
      const provider = await create(alice, { provider_type: 'openai', api_key: aliceKey, name: 'audited' });
      await request('PUT', `/api/providers/${provider.id}`, alice, { api_key: aliceKey });
      await request('DELETE', `/api/providers/${provider.id}`, alice);
      await request('PUT', '/api/providers/env-deepseek', alice, { name: 'x' });
      const rows = await harness.dependencies.repositories.audit.listRecent(50, { actorUserId: alice.id });
      const about = rows.filter((row) => row.targetId === provider.id).map((row) => `${row.action}:${row.result}`).sort();
      assert.deepEqual(about, ['provider.create:success', 'provider.delete:success', 'provider.update:success']);
      assert.ok(rows.some((row) => row.action === 'provider.update' && row.result === 'denied' && row.targetId === 'env-deepseek'));
      assert.ok(!JSON.stringify(rows).includes(aliceKey));
    });

    it('never puts a key in any response or log line', () => {
      assert.ok(bodies.length > 30);
      const everything = JSON.stringify(bodies) + harness.logs.join('\n');
      for (const secret of secrets) assert.ok(!everything.includes(secret), `a response or log contains ${secret.slice(0, 8)}…`);
      assert.ok(harness.logs.length > 0, 'logs were captured');
    });
  });
}
