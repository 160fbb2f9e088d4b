import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { answer, startFakeUpstream, text, type FakeUpstream } from '../../test/support/fake-upstream/index.ts';
import { bearer, json, signUp, type TestApp } from '../../test/support/test-app.ts';
import type { RequestContext } from '../auth/principal.ts';
import { AppError } from '../errors/app-error.ts';
import { createProviderTestApp } from '../../test/support/provider-test-app.ts';
import { createProviderModule, type ProviderModule } from './provider-module.ts';
import { createTestOutboundHttp } from './test-support/test-outbound-http.ts';

const userKey = 'sk-rotation-0123456789abcdefghijROTA';
const newEncryptionKey = 'a-brand-new-encryption-key-that-is-long-enough';

for (const database of testDatabases()) {
  describe(`provider keys at rest (${database.name})`, () => {
    let harness: TestApp & { providers: ProviderModule };
    let fake: FakeUpstream;
    let user: { id: string; token: string };
    const http = createTestOutboundHttp({ allowHosts: ['127.0.0.1'] });

    before(async () => {
      fake = await startFakeUpstream();
      harness = await createProviderTestApp(await database.open(), { http });
      user = await signUp(harness.app);
    });
    after(async () => {
      await harness.close();
      await fake.close();
    });

    const createProvider = async () => {
      const response = await harness.app.inject({
        method: 'POST', url: '/api/providers', headers: bearer(user.token),
        payload: { provider_type: 'openai', base_url: fake.openaiBaseUrl, api_key: userKey, default_model: 'fake-model' },
      });
      assert.equal(response.statusCode, 200, response.body);
      return json(response).data.id as string;
    };
    const cipherOf = async (id: string) =>
      (await harness.dependencies.database.db.selectFrom('providers').select('apiKeyCipher').where('id', '=', id).executeTakeFirstOrThrow()).apiKeyCipher!;
    const moduleWith = (encryptionKey: string, previousEncryptionKeys: string[]) =>
      createProviderModule({
        db: harness.dependencies.database.db,
        config: { ...harness.config, auth: { ...harness.config.auth, encryptionKey, previousEncryptionKeys } },
        audit: harness.dependencies.services.audit,
        newId: harness.dependencies.newId,
        clock: harness.dependencies.clock,
        http,
      });
    const keyThrough = async (module: ProviderModule, id: string) =>
      module.directory.connectionOf((await module.directory.findVisible(user.id, id))!).apiKey;

    it('rotates: the previous key still opens stored keys, and the next write re-seals them with the new one', async () => {
      const id = await createProvider();
      const sealedBefore = await cipherOf(id);
      const rotated = moduleWith(newEncryptionKey, [harness.config.auth.encryptionKey]);
      assert.equal(await keyThrough(rotated, id), userKey);
      assert.equal(await cipherOf(id), sealedBefore, 'reading does not write');

      const principal = await harness.dependencies.services.authenticator.authenticate(user.token);
      const context: RequestContext = { ip: '127.0.0.1', requestId: 'rotation-test', principal };
      await rotated.service.update(context, id, { name: 'touched' });
      const sealedAfter = await cipherOf(id);
      assert.notEqual(sealedAfter.split('.')[1], sealedBefore.split('.')[1], 'sealed under the new key id');
      assert.equal(await keyThrough(moduleWith(newEncryptionKey, []), id), userKey, 'the old key is no longer needed');
      await assert.rejects(async () => keyThrough(harness.providers, id), /cannot be decrypted/);
    });

    it('answers a tampered stored key with a clear error, and lets the owner repair it', async () => {
      const id = await createProvider();
      const sealed = await cipherOf(id);
      const parts = sealed.split('.');
      parts[4] = (parts[4]![0] === 'A' ? 'B' : 'A') + parts[4]!.slice(1);
      await harness.dependencies.database.db.updateTable('providers').set({ apiKeyCipher: parts.join('.') }).where('id', '=', id).execute();

      await assert.rejects(
        async () => harness.providers.resolver.resolve(user.id, { providerId: id }),
        (error: unknown) => error instanceof AppError && /cannot be decrypted \(sealed secret failed authentication/.test(error.message),
      );
      const tested = await harness.app.inject({ method: 'POST', url: `/api/providers/${id}/test`, headers: bearer(user.token) });
      assert.equal(tested.statusCode, 500);
      assert.match(json(tested).message, /the stored API key of provider "OpenAI" cannot be decrypted .*set the api_key again/);
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/providers', headers: bearer(user.token) })).statusCode, 200);

      const renamed = await harness.app.inject({ method: 'PUT', url: `/api/providers/${id}`, headers: bearer(user.token), payload: { name: 'still editable' } });
      assert.equal(renamed.statusCode, 200, renamed.body);
      const repaired = await harness.app.inject({ method: 'PUT', url: `/api/providers/${id}`, headers: bearer(user.token), payload: { api_key: userKey } });
      assert.equal(repaired.statusCode, 200);
      fake.script(answer([text('pong')]));
      const retested = json(await harness.app.inject({ method: 'POST', url: `/api/providers/${id}/test`, headers: bearer(user.token) }));
      assert.equal(retested.data.success, true);
      assert.ok(!harness.logs.join('\n').includes(userKey));
    });
  });
}
