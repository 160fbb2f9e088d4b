import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { answer, startFakeUpstream, text, type FakeUpstream } from '../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp, steppingClock, type TestApp } from '../../test/support/test-app.ts';
import { createAdmin } from '../cli/ensure-admin.ts';
import { AppError } from '../errors/app-error.ts';
import { createProviderTestApp } from '../../test/support/provider-test-app.ts';
import type { ProviderModule } from './provider-module.ts';
import { createTestOutboundHttp } from './test-support/test-outbound-http.ts';

const prompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'ping' }] }];
const rejectsWith = (code: string, message?: RegExp) => (error: unknown) =>
  error instanceof AppError && error.code === code && (!message || message.test(error.message));

for (const database of testDatabases()) {
  describe(`model resolver (${database.name})`, () => {
    let harness: TestApp & { providers: ProviderModule };
    let fake: FakeUpstream;
    let adminToken: string;
    // Loopback is allowed only per call, as for system providers; a user's provider there is refused.
    const http = createTestOutboundHttp({ allowHosts: [] });

    before(async () => {
      fake = await startFakeUpstream();
      harness = await createProviderTestApp(await database.open(), { http, dependencies: { clock: steppingClock() } });
      await createAdmin(harness.dependencies, { username: `root${process.pid}`, password: 'admin passphrase' });
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `root${process.pid}`, password: 'admin passphrase' } });
      adminToken = json(login).data.token;
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
    const update = (token: string, id: string, payload: Record<string, unknown>) =>
      harness.app.inject({ method: 'PUT', url: `/api/providers/${id}`, headers: bearer(token), payload });
    const resolve = (userId: string, request: { providerId?: string; model?: string } = {}) => harness.providers.resolver.resolve(userId, request);

    it('resolves in order: own default, own first, system default, first system; none is a clear 400', async () => {
      const carol = await signUp(harness.app);
      await assert.rejects(resolve(carol.id), rejectsWith('VALIDATION_ERROR', /^no LLM provider is configured; add one at POST \/api\/providers$/));

      const systemFirst = await create(adminToken, { name: 'Sys A', provider_type: 'openai', base_url: fake.openaiBaseUrl, models: ['sys-a-model'], is_system: true });
      assert.equal((await resolve(carol.id)).provider.id, systemFirst.id);
      assert.equal((await resolve(carol.id)).modelId, 'sys-a-model', 'the first of models when there is no default model');
      const systemDefault = await create(adminToken, { name: 'Sys B', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'sys-b', is_system: true, is_default: true });
      assert.equal((await resolve(carol.id)).provider.id, systemDefault.id);
      assert.equal((await resolve(carol.id)).provider.isSystem, true);

      const ownFirst = await create(carol.token, { name: 'Own A', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'own-a' });
      assert.equal((await resolve(carol.id)).provider.id, ownFirst.id);
      const ownDefault = await create(carol.token, { name: 'Own B', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'own-b', is_default: true });
      const resolved = await resolve(carol.id);
      assert.deepEqual(resolved.provider, { id: ownDefault.id, name: 'Own B', type: 'openai', isSystem: false });
      assert.equal(resolved.modelId, 'own-b');

      await update(carol.token, ownDefault.id, { enabled: false });
      assert.equal((await resolve(carol.id)).provider.id, ownFirst.id, 'disabled providers are skipped');
      await assert.rejects(resolve(carol.id, { providerId: ownDefault.id }), rejectsWith('VALIDATION_ERROR', /is disabled/));

      const dave = await signUp(harness.app);
      assert.equal((await resolve(dave.id)).provider.id, systemDefault.id, "another user's providers are not dave's");
      await assert.rejects(resolve(dave.id, { providerId: ownFirst.id }), rejectsWith('NOT_FOUND'));
      assert.equal((await resolve(dave.id, { providerId: systemFirst.id, model: 'chosen' })).modelId, 'chosen');
    });

    it('picks the provider from the model: one that offers it, or `<provider>/<model>`', async () => {
      const erin = await signUp(harness.app);
      await create(erin.token, { name: 'Main', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'main-model', is_default: true });
      const groq = await create(erin.token, { provider_type: 'groq', base_url: fake.openaiBaseUrl });
      const offered = await resolve(erin.id, { model: 'llama-3.1-8b-instant' });
      assert.equal(offered.provider.id, groq.id);
      const prefixed = await resolve(erin.id, { model: 'groq/some-new-model' });
      assert.deepEqual([prefixed.provider.id, prefixed.modelId], [groq.id, 'some-new-model']);
      const byName = await resolve(erin.id, { model: 'main/other' });
      assert.deepEqual([byName.provider.name, byName.modelId], ['Main', 'other']);
      const routerStyle = await resolve(erin.id, { model: 'deepseek-ai/DeepSeek-R1' });
      assert.deepEqual([routerStyle.provider.name, routerStyle.modelId], ['Main', 'deepseek-ai/DeepSeek-R1'], 'an unknown prefix is part of the model id');

      const empty = await create(erin.token, { provider_type: 'openai-compatible', base_url: fake.openaiBaseUrl });
      await assert.rejects(resolve(erin.id, { providerId: empty.id }), rejectsWith('VALIDATION_ERROR', /has no default model/));
    });

    it('reports context window, output cap and reasoning options per provider', async () => {
      const frank = await signUp(harness.app);
      const openai = await create(frank.token, { provider_type: 'openai', base_url: fake.openaiBaseUrl, max_tokens: 2048 });
      const withOwnWindow = await create(frank.token, { provider_type: 'openai', base_url: fake.openaiBaseUrl, context_window: 1000 });
      const anthropic = await create(frank.token, { provider_type: 'anthropic', base_url: fake.anthropicBaseUrl });
      const google = await create(frank.token, { provider_type: 'google', base_url: fake.googleBaseUrl, settings: {} });

      const known = await resolve(frank.id, { providerId: openai.id, model: 'gpt-4o' });
      assert.equal(known.contextWindow, 128_000);
      assert.equal(known.maxOutputTokens, 2048);
      assert.equal(known.thinkingOptions(true), undefined, 'OpenAI-compatible reasoning needs no switch');
      assert.equal((await resolve(frank.id, { providerId: openai.id, model: 'mystery-model' })).contextWindow, 32_768);
      assert.equal((await resolve(frank.id, { providerId: withOwnWindow.id, model: 'gpt-4o' })).contextWindow, 1000);

      const claude = await resolve(frank.id, { providerId: anthropic.id, model: 'claude-sonnet-4-5' });
      assert.equal(claude.modelId, 'claude-sonnet-4-5');
      assert.equal(claude.contextWindow, 200_000);
      assert.equal(claude.maxOutputTokens, undefined);
      assert.deepEqual(claude.thinkingOptions(true), { anthropic: { thinking: { type: 'enabled', budgetTokens: 4096 } } });
      assert.equal(claude.thinkingOptions(false), undefined);
      assert.deepEqual((await resolve(frank.id, { providerId: google.id, model: 'gemini-2.5-flash' })).thinkingOptions(true), { google: { thinkingConfig: { includeThoughts: true } } });
    });

    it('offers the configured fallback, and stops at a loop', async () => {
      const gina = await signUp(harness.app);
      const second = await create(gina.token, { name: 'Second', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'second-model' });
      const first = await create(gina.token, { name: 'First', provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'first-model', fallback_provider_id: second.id, fallback_model: 'rescue' });
      await update(gina.token, second.id, { fallback_provider_id: first.id });

      const resolved = await resolve(gina.id, { providerId: first.id });
      const fallback = await resolved.fallback!();
      assert.deepEqual([fallback!.provider.id, fallback!.modelId], [second.id, 'rescue']);
      assert.equal(await fallback!.fallback!(), undefined, 'back to First would loop');

      const sameProvider = await create(gina.token, { provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'big', fallback_model: 'small' });
      const withModelFallback = await resolve(gina.id, { providerId: sameProvider.id });
      assert.equal((await withModelFallback.fallback!())!.modelId, 'small');
      assert.equal((await resolve(gina.id, { providerId: second.id, model: 'x' })).fallback !== undefined, true);
      assert.equal((await resolve(gina.id, { providerId: sameProvider.id, model: 'small' })).fallback, undefined);

      await harness.app.inject({ method: 'DELETE', url: `/api/providers/${second.id}`, headers: bearer(gina.token) });
      assert.equal(await (await resolve(gina.id, { providerId: first.id })).fallback!(), undefined, 'a deleted fallback is no fallback');
    });

    it("calls the upstream with the provider's own key, reaching loopback only for system providers", async () => {
      const henry = await signUp(harness.app);
      const system = await create(adminToken, { provider_type: 'openai', base_url: fake.openaiBaseUrl, api_key: 'sk-system-key-0000000000000000', default_model: 'm', is_system: true });
      fake.script(answer([text('pong')]));
      const viaSystem = await resolve(henry.id, { providerId: system.id });
      await viaSystem.model.doGenerate({ prompt });
      assert.equal(fake.chatRequests.at(-1)!.headers.authorization, 'Bearer sk-system-key-0000000000000000');

      const own = await create(henry.token, { provider_type: 'openai', base_url: fake.openaiBaseUrl, default_model: 'm' });
      const viaOwn = await resolve(henry.id, { providerId: own.id });
      const before = fake.requests.length;
      await assert.rejects(async () => viaOwn.model.doGenerate({ prompt }), rejectsWith('OUTBOUND_BLOCKED'));
      assert.equal(fake.requests.length, before, 'nothing reached the upstream');
    });
  });
}
