import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import type { Database } from '../database.ts';
import { createIdGenerator } from '../ids.ts';
import { migrateToLatest } from '../migrate.ts';
import { createProvidersRepository, type ProvidersRepository, type StoredProvider } from './providers-repository.ts';
import { createUsersRepository } from './users-repository.ts';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

for (const database of testDatabases()) {
  describe(`providers repository (${database.name})`, () => {
    let opened: Database;
    let providers: ProvidersRepository;
    const newId = createIdGenerator();
    let alice: string;
    let bob: string;

    const provider = (userId: string | null, fields: Partial<StoredProvider> = {}): StoredProvider => ({
      id: newId(),
      userId,
      name: 'DeepSeek',
      providerType: 'deepseek',
      baseUrl: 'https://api.deepseek.com/v1',
      apiKeyCipher: 'v1.key.iv.tag.cipher',
      apiKeyHint: 'sk-…abcd',
      defaultModel: 'deepseek-chat',
      models: ['deepseek-chat', 'deepseek-reasoner'],
      maxTokens: 8192,
      contextWindow: null,
      isDefault: false,
      enabled: true,
      fallbackProviderId: null,
      fallbackModel: null,
      settings: { preset: 'deepseek' },
      createdAt: at(1),
      updatedAt: at(1),
      ...fields,
    });

    before(async () => {
      opened = await database.open();
      await migrateToLatest(opened);
      providers = createProvidersRepository(opened.db);
      const users = createUsersRepository(opened.db);
      for (const username of ['alice', 'bob']) {
        await users.create({ id: newId(), username, email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now: at(0) });
      }
      alice = (await users.findForLogin('alice'))!.user.id;
      bob = (await users.findForLogin('bob'))!.user.id;
    });
    after(() => opened.close());

    it('round-trips every field, JSON columns and flags included', async () => {
      const created = provider(alice, { isDefault: true, settings: { resourceName: 'my-resource', apiVersion: '2024-10-21' } });
      assert.deepEqual(await providers.create(created), created);
      assert.deepEqual(await providers.findOwned(alice, created.id), created);
      assert.deepEqual(await providers.findVisible(alice, created.id), created);
    });

    it("keeps each owner's providers to that owner, and shows system ones to everyone", async () => {
      const own = await providers.create(provider(alice, { name: 'mine' }));
      const system = await providers.create(provider(null, { name: 'shared' }));
      assert.equal(await providers.findOwned(bob, own.id), undefined);
      assert.equal(await providers.findVisible(bob, own.id), undefined);
      assert.equal(await providers.findOwned(alice, system.id), undefined, 'a system provider is not owned by a user');
      assert.deepEqual(await providers.findOwned(null, system.id), system);
      assert.deepEqual(await providers.findVisible(bob, system.id), system);

      const bobSees = (await providers.listVisible(bob)).map((entry) => entry.name);
      assert.ok(bobSees.includes('shared'));
      assert.ok(!bobSees.includes('mine'));
      assert.ok((await providers.listOwned(null)).every((entry) => entry.userId === null));
      assert.ok((await providers.listOwned(alice)).every((entry) => entry.userId === alice));
    });

    it('updates and deletes only as the owner', async () => {
      const own = await providers.create(provider(alice));
      assert.equal(await providers.update(bob, own.id, { name: 'stolen' }, at(5)), undefined);
      assert.equal(await providers.update(null, own.id, { name: 'stolen' }, at(5)), undefined);
      assert.equal((await providers.findOwned(alice, own.id))!.name, 'DeepSeek');

      const updated = await providers.update(alice, own.id, { name: 'Renamed', models: ['a'], enabled: false, settings: {} }, at(6));
      assert.equal(updated!.name, 'Renamed');
      assert.deepEqual(updated!.models, ['a']);
      assert.equal(updated!.enabled, false);
      assert.deepEqual(updated!.settings, {});
      assert.equal(updated!.updatedAt, at(6));
      assert.equal(updated!.apiKeyCipher, own.apiKeyCipher, 'fields not in the patch keep their value');

      assert.equal(await providers.delete(bob, own.id), false);
      assert.equal(await providers.delete(null, own.id), false);
      assert.equal(await providers.delete(alice, own.id), true);
      assert.equal(await providers.findOwned(alice, own.id), undefined);
    });

    it("clears the owner's other defaults and nobody else's", async () => {
      const first = await providers.create(provider(bob, { isDefault: true }));
      const second = await providers.create(provider(bob, { isDefault: true }));
      const aliceDefault = await providers.create(provider(alice, { isDefault: true }));
      const systemDefault = await providers.create(provider(null, { isDefault: true }));
      await providers.clearDefaults(bob, second.id, at(9));
      assert.equal((await providers.findOwned(bob, first.id))!.isDefault, false);
      assert.equal((await providers.findOwned(bob, second.id))!.isDefault, true);
      assert.equal((await providers.findOwned(alice, aliceDefault.id))!.isDefault, true);
      assert.equal((await providers.findOwned(null, systemDefault.id))!.isDefault, true);
    });

    it('refuses a hand-edited row with broken JSON, naming it, instead of reading it as empty (see corrupt-json-columns.test.ts)', async () => {
      const created = await providers.create(provider(alice));
      await opened.db.updateTable('providers').set({ models: 'not json', settings: '' }).where('id', '=', created.id).execute();
      await assert.rejects(providers.findOwned(alice, created.id), new RegExp(`providers\\.models of row ${created.id} is not valid JSON`));
    });
  });
}
