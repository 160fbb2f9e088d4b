import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { startFakeUpstream, type FakeUpstream } from '../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp, type TestApp } from '../../test/support/test-app.ts';
import { createAdmin } from '../cli/ensure-admin.ts';
import { ConfigError, parseConfig } from '../config/load-config.ts';
import { AppError } from '../errors/app-error.ts';
import { listModelsFor } from '../http/openai/model-list.ts';
import { createProviderTestApp } from '../../test/support/provider-test-app.ts';
import type { ProviderModule } from './provider-module.ts';
import { createTestOutboundHttp } from './test-support/test-outbound-http.ts';

describe('model alias settings', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'colloquy-aliases-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('reads COLLOQUY_MODEL_ALIASES as JSON, splitting each target at its first slash', () => {
    const aliases = JSON.stringify({
      'deepseek-ai/DeepSeek-R1': 'deepseek/deepseek-reasoner',
      'Pro/THUDM/glm-4-9b-chat': 'siliconflow/Pro/THUDM/glm-4-9b-chat',
      'object-form': { provider: 'My Provider', model: 'm' },
    });
    const config = parseConfig({ COLLOQUY_MODEL_ALIASES: aliases }, directory);
    assert.deepEqual(config.models.aliases, {
      'deepseek-ai/DeepSeek-R1': { provider: 'deepseek', model: 'deepseek-reasoner' },
      'Pro/THUDM/glm-4-9b-chat': { provider: 'siliconflow', model: 'Pro/THUDM/glm-4-9b-chat' },
      'object-form': { provider: 'My Provider', model: 'm' },
    });
    assert.deepEqual(parseConfig({}, directory).models.aliases, {}, 'none by default');
  });

  it("reads the config file's models.aliases object", () => {
    const file = path.join(directory, 'aliases.json');
    writeFileSync(file, JSON.stringify({ models: { aliases: { 'gpt-4': 'openai/gpt-4o' } } }));
    assert.deepEqual(parseConfig({ COLLOQUY_CONFIG: file }, directory).models.aliases, { 'gpt-4': { provider: 'openai', model: 'gpt-4o' } });
  });

  it('refuses malformed aliases at start, naming the setting and the alias', () => {
    const refuses = (value: string, message: RegExp) =>
      assert.throws(() => parseConfig({ COLLOQUY_MODEL_ALIASES: value }, directory), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    refuses('{not json', /models\.aliases \(COLLOQUY_MODEL_ALIASES\): must be a JSON object/);
    refuses('["a"]', /COLLOQUY_MODEL_ALIASES.*must be an object/);
    refuses(JSON.stringify({ 'no-slash': 'deepseek' }), /models\.aliases\.no-slash \(COLLOQUY_MODEL_ALIASES\): must be "<provider>\/<model>"/);
    refuses(JSON.stringify({ 'empty-model': 'deepseek/' }), /models\.aliases\.empty-model/);
    refuses(JSON.stringify({ 'half-object': { provider: 'x' } }), /models\.aliases\.half-object/);
  });

  it('keeps an alias named like an Object member as plain data', () => {
    const config = parseConfig({ COLLOQUY_MODEL_ALIASES: '{"__proto__": "openai/gpt-4o"}' }, directory);
    assert.deepEqual(Object.keys(config.models.aliases), ['__proto__']);
    assert.equal(Object.getPrototypeOf(config.models.aliases), Object.prototype);
  });
});

const rejectsWith = (code: string, message?: RegExp) => (error: unknown) =>
  error instanceof AppError && error.code === code && (!message || message.test(error.message));

for (const database of testDatabases()) {
  describe(`model aliases in the resolver and the model list (${database.name})`, () => {
    let harness: TestApp & { providers: ProviderModule };
    let fake: FakeUpstream;
    let adminToken: string;
    let system: { id: string; name: string };
    before(async () => {
      fake = await startFakeUpstream();
      const aliases = {
        'deepseek-ai/DeepSeek-R1': 'upstream/real-r1',
        'typed-alias': 'groq/llama-alias-target',
        'ghost-model': 'nowhere/some-model',
        'shared-id': 'upstream/shared-target',
      };
      harness = await createProviderTestApp(await database.open(), {
        http: createTestOutboundHttp({ allowHosts: [] }),
        env: { COLLOQUY_MODEL_ALIASES: JSON.stringify(aliases) },
      });
      await createAdmin(harness.dependencies, { username: `alias-root${process.pid}`, password: 'admin passphrase' });
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `alias-root${process.pid}`, password: 'admin passphrase' } });
      adminToken = json(login).data.token;
      system = await create(adminToken, { name: 'Upstream', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'upstream-default', is_system: true });
    });
    after(async () => {
      await harness.close();
      await fake.close();
    });

    async function create(token: string, payload: Record<string, unknown>): Promise<{ id: string; name: string }> {
      const response = await harness.app.inject({ method: 'POST', url: '/api/providers', headers: bearer(token), payload });
      assert.equal(response.statusCode, 200, response.body);
      return json(response).data;
    }
    const resolve = (userId: string, request: { providerId?: string; model?: string }) => harness.providers.resolver.resolve(userId, request);

    it("resolves an alias to the operator's provider, ahead of the user's own default and same-named provider", async () => {
      const user = await signUp(harness.app);
      await create(user.token, { name: 'Upstream', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'own', is_default: true });
      const resolved = await resolve(user.id, { model: 'deepseek-ai/DeepSeek-R1' });
      assert.deepEqual([resolved.provider.id, resolved.provider.isSystem, resolved.modelId], [system.id, true, 'real-r1']);
      const groq = await create(user.token, { provider_type: 'groq', base_url: fake.openaiBaseUrl });
      const typed = await resolve(user.id, { model: 'typed-alias' });
      assert.deepEqual([typed.provider.id, typed.modelId], [groq.id, 'llama-alias-target'], "the user's provider when no system one answers");
    });

    it('names the alias and its target when the target is not configured', async () => {
      const user = await signUp(harness.app);
      await assert.rejects(
        resolve(user.id, { model: 'ghost-model' }),
        rejectsWith('VALIDATION_ERROR', /^model "ghost-model" is an alias of "nowhere\/some-model", but no enabled provider "nowhere" is available/),
      );
    });

    it('leaves an explicitly chosen provider, and models named like Object members, alone', async () => {
      const user = await signUp(harness.app);
      const own = await create(user.token, { name: 'Mine', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'mine', is_default: true });
      const explicit = await resolve(user.id, { providerId: own.id, model: 'deepseek-ai/DeepSeek-R1' });
      assert.deepEqual([explicit.provider.id, explicit.modelId], [own.id, 'deepseek-ai/DeepSeek-R1']);
      for (const model of ['constructor', 'toString', '__proto__']) {
        const resolved = await resolve(user.id, { model });
        assert.deepEqual([resolved.provider.id, resolved.modelId], [own.id, model]);
      }
    });

    it('lists the aliases a user can reach first, owned by their provider, and never an unreachable one', async () => {
      const user = await signUp(harness.app);
      await create(user.token, { name: 'Mine', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'shared-id', models: ['mine-2'] });
      const listed = await listModelsFor(harness.providers.directory, user.id, harness.providers.aliases);
      const ids = listed.map((model) => model.id);
      assert.deepEqual(ids.slice(0, 2), ['deepseek-ai/DeepSeek-R1', 'shared-id']);
      assert.equal(listed[0]!.owned_by, 'Upstream');
      assert.ok(!ids.includes('ghost-model'), 'an alias whose provider is missing is not offered');
      assert.ok(!ids.includes('typed-alias'), 'nor one whose provider this user lacks');
      assert.equal(ids.filter((id) => id === 'shared-id').length, 1, 'an id is listed once');
      const own = listed.find((model) => model.owned_by === 'Mine' && model.id.endsWith('/shared-id'));
      assert.ok(own, 'the same bare id under a provider is listed as <provider id>/<model>');
      assert.ok(ids.includes('mine-2') && ids.includes('upstream-default'));

      const response = await harness.app.inject({ method: 'GET', url: '/api/models', headers: bearer(user.token) });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(json(response).data.map((model: { id: string }) => model.id), ids, '/api/models answers the same list');
    });
  });
}
