import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { answer, startFakeUpstream, text, type FakeUpstream } from '../../test/support/fake-upstream/index.ts';
import { AppError } from '../errors/app-error.ts';
import { createGuardedHttpClient } from '../net/guarded-http-client.ts';
import { createLanguageModel } from './model-factory.ts';
import { fetchFor, type ProviderConnection } from './provider-connection.ts';
import { describeProviderType } from './provider-types.ts';
import { createTestOutboundHttp } from './test-support/test-outbound-http.ts';

const prompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'ping' }] }];

/** What the AI SDK packages would read from the environment if they were ever allowed to. */
const environmentKeys = {
  OPENAI_API_KEY: 'env-secret-openai',
  ANTHROPIC_API_KEY: 'env-secret-anthropic',
  GOOGLE_GENERATIVE_AI_API_KEY: 'env-secret-google',
  AZURE_API_KEY: 'env-secret-azure',
  AZURE_RESOURCE_NAME: 'env-secret-resource',
  ANTHROPIC_BASE_URL: 'https://env-secret.example/v1',
};

describe('model factory', () => {
  let fake: FakeUpstream;
  const http = createTestOutboundHttp({ allowHosts: ['127.0.0.1'] });
  before(async () => {
    fake = await startFakeUpstream();
  });
  after(() => fake.close());
  afterEach(() => {
    fake.requests.length = 0;
  });

  function connection(type: string, fields: Partial<ProviderConnection> = {}): ProviderConnection {
    const info = describeProviderType(type)!;
    const baseUrl = { 'openai-compatible': fake.openaiBaseUrl, anthropic: fake.anthropicBaseUrl, google: fake.googleBaseUrl, ollama: fake.url, azure: fake.openaiBaseUrl, fastgpt: fake.openaiBaseUrl, dify: fake.openaiBaseUrl }[info.wireFormat];
    return { id: 'p1', name: `${type} test`, type: info.type, wireFormat: info.wireFormat, isSystem: false, baseUrl, apiKey: 'sk-provider-own-key-1234', settings: {}, ...fields };
  }

  async function call(model: LanguageModelV3) {
    fake.script(answer([text('pong')]));
    const result = await model.doGenerate({ prompt, maxOutputTokens: 16 });
    assert.deepEqual(result.content.map((part) => (part.type === 'text' ? part.text : part.type)), ['pong']);
    return fake.requests.at(-1)!;
  }

  const cases: [type: string, path: string, credentialHeader: string, credential: string][] = [
    ['openai', '/v1/chat/completions', 'authorization', 'Bearer sk-provider-own-key-1234'],
    ['openai-compatible', '/v1/chat/completions', 'authorization', 'Bearer sk-provider-own-key-1234'],
    ['deepseek', '/v1/chat/completions', 'authorization', 'Bearer sk-provider-own-key-1234'],
    ['anthropic', '/v1/messages', 'x-api-key', 'sk-provider-own-key-1234'],
    ['google', '/v1beta/models/some-model:generateContent', 'x-goog-api-key', 'sk-provider-own-key-1234'],
    ['azure', '/v1/chat/completions', 'api-key', 'sk-provider-own-key-1234'],
  ];
  for (const [type, path, header, credential] of cases) {
    it(`builds the ${type} adapter, which calls its wire format with the provider's own key`, async () => {
      const target = connection(type);
      const model = createLanguageModel(target, 'some-model', fetchFor(http, target));
      assert.equal(model.specificationVersion, 'v3');
      const request = await call(model);
      assert.equal(request.path, path);
      assert.equal(request.headers[header], credential);
    });
  }

  it("builds the Ollama adapter on its OpenAI-compatible /v1, whether or not the base URL names it", async () => {
    for (const baseUrl of [fake.url, `${fake.url}/`, `${fake.url}/v1`]) {
      const target = connection('ollama', { baseUrl, apiKey: undefined });
      const model = createLanguageModel(target, 'llama3.2', fetchFor(http, target));
      assert.equal(model.provider, 'ollama.chat');
      const request = await call(model);
      assert.equal(request.path, '/v1/chat/completions');
      assert.equal(request.headers.authorization, undefined);
    }
  });

  it('asks OpenAI-compatible upstreams for usage in streams', async () => {
    const target = connection('deepseek');
    const model = createLanguageModel(target, 'deepseek-chat', fetchFor(http, target));
    fake.script(answer([text('pong')]));
    const { stream } = await model.doStream({ prompt });
    for await (const _part of stream) {
      // Drained so the request completes.
    }
    assert.deepEqual((fake.requests.at(-1)!.body as { stream_options?: unknown }).stream_options, { include_usage: true });
  });

  it('never sends a key from the environment for a provider without one of its own', async () => {
    const saved = Object.fromEntries(Object.keys(environmentKeys).map((name) => [name, process.env[name]]));
    // The AI SDK packages read these when no key is passed; set them to prove they stay unread.
    Object.assign(process.env, environmentKeys);
    try {
      for (const type of ['openai', 'anthropic', 'google', 'azure']) {
        const keyless = connection(type, { apiKey: undefined });
        const request = await call(createLanguageModel(keyless, 'some-model', fetchFor(http, keyless)));
        const sent = JSON.stringify(request.headers);
        for (const value of Object.values(environmentKeys)) assert.ok(!sent.includes(value), `${type} sent ${value}`);
        for (const header of ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key']) {
          assert.equal(request.headers[header], undefined, `${type} sent a ${header} header`);
        }
        // The factory alone, without fetchFor's header stripping, must not reach for the environment either.
        const unstripped = await call(createLanguageModel(keyless, 'some-model', http.fetchWith({})));
        const sentUnstripped = JSON.stringify(unstripped.headers);
        for (const value of Object.values(environmentKeys)) assert.ok(!sentUnstripped.includes(value), `${type} read ${value}`);
      }
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("allows a system provider's own host, and only the operator's allow-list for a user's", async () => {
    const strict = createTestOutboundHttp({ allowHosts: [] });
    const system = connection('openai', { isSystem: true });
    const viaSystem = await call(createLanguageModel(system, 'some-model', fetchFor(strict, system)));
    assert.equal(viaSystem.path, '/v1/chat/completions');
    assert.deepEqual(strict.calls.at(-1)!.options.extraAllowedHosts, ['127.0.0.1']);

    const user = connection('openai', { isSystem: false });
    await assert.rejects(
      async () => createLanguageModel(user, 'some-model', fetchFor(strict, user)).doGenerate({ prompt }),
      (error: unknown) => error instanceof AppError && error.code === 'OUTBOUND_BLOCKED',
    );
    assert.equal(strict.calls.at(-1)!.options.extraAllowedHosts, undefined);
  });

  it('works over the real guarded HTTP client: loopback only for a system provider, no connection for a user one', async () => {
    const guarded = createGuardedHttpClient({ allowHosts: [], connectTimeoutMs: 2000, headersTimeoutMs: 5000, maxResponseBytes: 1024 * 1024, maxRedirects: 5 });
    try {
      const system = connection('openai', { isSystem: true });
      assert.equal((await call(createLanguageModel(system, 'some-model', fetchFor(guarded, system)))).path, '/v1/chat/completions');
      const user = connection('openai', { isSystem: false });
      const before = fake.requests.length;
      await assert.rejects(
        async () => createLanguageModel(user, 'some-model', fetchFor(guarded, user)).doGenerate({ prompt }),
        (error: unknown) => error instanceof AppError && error.code === 'OUTBOUND_BLOCKED',
      );
      assert.equal(fake.requests.length, before);
    } finally {
      await guarded.close();
    }
  });

  it('refuses an Azure provider with neither a base URL nor a resource name, instead of reading the environment', () => {
    const target = connection('azure', { baseUrl: null });
    assert.throws(() => createLanguageModel(target, 'gpt-4o', fetchFor(http, target)), /base_url or settings.resource_name/);
  });
});
