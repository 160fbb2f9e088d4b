import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { startFakeUpstream, type FakeUpstream } from '../../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { createTestOutboundHttp } from '../../providers/test-support/test-outbound-http.ts';
import { createProviderTestApp } from '../../../test/support/provider-test-app.ts';

const userKey = 'sk-user-models-0123456789abcdefKEYS';
const environmentKey = 'sk-environment-groq-0123456789abcd';

const ndjsonLines = (body: string): unknown[] =>
  body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);

for (const database of testDatabases()) {
  describe(`LobeChat model routes (${database.name})`, () => {
    let harness: TestApp;
    let fake: FakeUpstream;
    let user: { id: string; token: string };
    const created: Record<string, string> = {};

    before(async () => {
      fake = await startFakeUpstream();
      harness = await createProviderTestApp(await database.open(), {
        http: createTestOutboundHttp({ allowHosts: ['127.0.0.1'] }),
        env: { GROQ_API_KEY: environmentKey },
      });
      user = await signUp(harness.app);
      for (const [name, payload] of Object.entries({
        openai: { provider_type: 'openai', base_url: fake.openaiBaseUrl, api_key: userKey },
        anthropic: { provider_type: 'anthropic', base_url: fake.anthropicBaseUrl, api_key: userKey },
        google: { provider_type: 'google', base_url: fake.googleBaseUrl, api_key: userKey },
        ollama: { provider_type: 'ollama', base_url: fake.url },
        azure: { provider_type: 'azure', base_url: `${fake.url}/openai`, api_key: userKey, models: ['my-deployment'] },
      })) {
        const response = await harness.app.inject({ method: 'POST', url: '/api/providers', headers: bearer(user.token), payload });
        assert.equal(response.statusCode, 200, response.body);
        created[name] = json(response).data.id;
      }
    });
    after(async () => {
      await harness.close();
      await fake.close();
    });

    const get = (provider: string, token = user.token) =>
      harness.app.inject({ method: 'GET', url: `/webapi/models/${encodeURIComponent(provider)}`, headers: bearer(token) });

    it('lists models from each wire format as a bare array of LobeChat model cards', async () => {
      fake.models = ['gpt-4o', 'custom-model'];
      const cases: [string, string, string, string][] = [
        ['openai', '/v1/models', 'authorization', `Bearer ${userKey}`],
        ['anthropic', '/v1/models', 'x-api-key', userKey],
        ['google', '/v1beta/models', 'x-goog-api-key', userKey],
        ['ollama', '/api/tags', 'authorization', ''],
      ];
      for (const [name, path, header, credential] of cases) {
        const response = await get(created[name]!);
        assert.equal(response.statusCode, 200, response.body);
        const cards = json(response);
        assert.ok(Array.isArray(cards), `${name} answers a bare array`);
        assert.deepEqual(cards.map((card: { id: string }) => card.id), ['gpt-4o', 'custom-model'], name);
        assert.equal(cards[0].enabled, true);
        assert.equal(cards[0].displayName, 'gpt-4o');
        const request = fake.requests.at(-1)!;
        assert.equal(request.path, path, name);
        assert.equal(request.headers[header] ?? '', credential, name);
      }
      const openaiCards = json(await get(created.openai!));
      assert.equal(openaiCards[0].contextWindowTokens, 128_000, 'known models carry their context window');
      assert.equal('contextWindowTokens' in openaiCards[1], false);
      assert.equal(json(await get(created.google!))[1].contextWindowTokens, 1_048_576, "Google's own inputTokenLimit");
    });

    it('finds the provider by type or preset name too', async () => {
      fake.models = ['llama3.2:1b'];
      const byType = await get('ollama');
      assert.deepEqual(json(byType).map((card: { id: string }) => card.id), ['llama3.2:1b']);
      assert.equal((await get('no-such-provider')).statusCode, 404);
      const other = await signUp(harness.app);
      assert.equal((await get(created.openai!, other.token)).statusCode, 404, "another user's provider is not found");
    });

    it('falls back to the configured models when the upstream cannot list them', async () => {
      fake.modelListError = { type: 'http-error', status: 500 };
      try {
        // The groq environment provider points at the real Groq host, which the tests never reach.
        const groq = await get('groq');
        assert.equal(groq.statusCode, 200, groq.body);
        assert.ok(json(groq).some((card: { id: string; contextWindowTokens?: number }) => card.id === 'llama-3.3-70b-versatile' && card.contextWindowTokens === 131_072));
        const azure = json(await get(created.azure!));
        assert.deepEqual(azure.map((card: { id: string }) => card.id), ['my-deployment']);
        const nothingConfigured = await get(created.openai!);
        assert.equal(nothingConfigured.statusCode, 502, 'with nothing configured, the upstream error stands');
        assert.match(json(nothingConfigured).message, /HTTP 500/);
      } finally {
        fake.modelListError = undefined;
      }
    });

    it('streams Ollama pull progress as NDJSON, ending with success', async () => {
      fake.models = [];
      const response = await harness.app.inject({
        method: 'POST', url: `/webapi/models/${created.ollama}/pull`, headers: bearer(user.token), payload: { model: 'qwen2.5:0.5b' },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
      const lines = ndjsonLines(response.body) as { status: string; total?: number; completed?: number }[];
      assert.equal(lines[0]!.status, 'pulling manifest');
      assert.ok(lines.some((line) => line.completed === line.total && line.total !== undefined));
      assert.deepEqual(lines.at(-1), { status: 'success' });
      assert.deepEqual(fake.requests.at(-1)!.body, { model: 'qwen2.5:0.5b', name: 'qwen2.5:0.5b', stream: true });
      assert.ok(fake.models.includes('qwen2.5:0.5b'));
    });

    it('ends a failed pull cleanly with a final error line', async () => {
      fake.pull = { error: 'pull model manifest: file does not exist' };
      try {
        const response = await harness.app.inject({ method: 'POST', url: '/webapi/models/ollama/pull', headers: bearer(user.token), payload: { model: 'nope' } });
        assert.equal(response.statusCode, 200);
        assert.deepEqual(ndjsonLines(response.body), [{ status: 'pulling manifest' }, { status: 'error', error: 'pull model manifest: file does not exist' }]);
      } finally {
        fake.pull = {};
      }
      const unreachable = await harness.app.inject({ method: 'POST', url: '/api/providers', headers: bearer(user.token), payload: { provider_type: 'ollama', base_url: 'http://127.0.0.1:9' } });
      const down = await harness.app.inject({ method: 'POST', url: `/webapi/models/${json(unreachable).data.id}/pull`, headers: bearer(user.token), payload: { model: 'x' } });
      const lines = ndjsonLines(down.body) as { status: string; error: string }[];
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.status, 'error');
      assert.match(lines[0]!.error, /could not reach Ollama/);
    });

    it('refuses to pull into anything but Ollama, and a pull without a model', async () => {
      const wrong = await harness.app.inject({ method: 'POST', url: `/webapi/models/${created.openai}/pull`, headers: bearer(user.token), payload: { model: 'x' } });
      assert.equal(wrong.statusCode, 400);
      assert.match(json(wrong).message, /only Ollama providers can pull models/);
      const missing = await harness.app.inject({ method: 'POST', url: `/webapi/models/${created.ollama}/pull`, headers: bearer(user.token), payload: {} });
      assert.equal(missing.statusCode, 400);
      const anonymous = await harness.app.inject({ method: 'GET', url: '/webapi/models/ollama' });
      assert.equal(anonymous.statusCode, 401);
    });

    it('delivers progress as it arrives and stops the upstream pull when the client goes away', async () => {
      // Slow enough that only an immediate abort, not the next progress line, can end the upstream request in time.
      fake.pull = { stepDelayMs: 3000 };
      await harness.app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const { port } = harness.app.server.address() as AddressInfo;
        const pullIndex = fake.requests.length;
        const firstLine = await new Promise<string>((resolve, reject) => {
          const outgoing = httpRequest(
            { host: '127.0.0.1', port, method: 'POST', path: `/webapi/models/${created.ollama}/pull`, headers: { ...bearer(user.token), 'content-type': 'application/json' } },
            (response) => {
              response.once('data', (chunk: Buffer) => {
                resolve(chunk.toString('utf8'));
                // Hanging up mid-pull, long before the last of the delayed lines.
                outgoing.destroy();
              });
            },
          );
          outgoing.on('error', (error) => {
            if (!outgoing.destroyed) reject(error);
          });
          outgoing.end(JSON.stringify({ model: 'slow-model' }));
        });
        assert.deepEqual(JSON.parse(firstLine.split('\n')[0]!), { status: 'pulling manifest' });
        const hungUpAt = Date.now();
        await fake.waitForClientClose(pullIndex);
        assert.ok(Date.now() - hungUpAt < 1500, 'the upstream request ended right away, not at its next line');
        assert.ok(!fake.models.includes('slow-model'), 'the pull did not run to the end');
      } finally {
        fake.pull = {};
      }
    });

    it('never shows a key in a model list or its errors', async () => {
      const everything = harness.logs.join('\n') + JSON.stringify(await Promise.all(['openai', 'anthropic', 'google'].map(async (name) => (await get(created[name]!)).body)));
      assert.ok(!everything.includes(userKey));
      assert.ok(!everything.includes(environmentKey));
    });
  });
}
