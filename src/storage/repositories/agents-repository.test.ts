import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import type { Database } from '../database.ts';
import { createIdGenerator } from '../ids.ts';
import { migrateToLatest } from '../migrate.ts';
import { createAgentsRepository, type AgentsRepository, type StoredAgent } from './agents-repository.ts';
import { createProvidersRepository } from './providers-repository.ts';
import { createUsersRepository } from './users-repository.ts';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

for (const database of testDatabases()) {
  describe(`agents repository: every change names the owner (${database.name})`, () => {
    let opened: Database;
    let agents: AgentsRepository;
    const newId = createIdGenerator();
    let alice: string;
    let bob: string;

    const agent = (ownerId: string | null, fields: Partial<StoredAgent> = {}): StoredAgent => ({
      id: newId(), ownerId, source: ownerId === null ? 'admin' : 'user', name: 'Writer', description: '', category: null, provider: 'openai',
      avatar: null, status: 'active', visibility: ownerId === null ? 'public' : 'private', capabilities: [], config: { temperature: 0.2 },
      tools: [], knowledgeBaseIds: [], endpointProviderId: null, appId: null, createdAt: at(1), updatedAt: at(1), ...fields,
    });

    before(async () => {
      opened = await database.open();
      await migrateToLatest(opened);
      agents = createAgentsRepository(opened.db);
      const users = createUsersRepository(opened.db);
      for (const username of ['alice', 'bob']) {
        await users.create({ id: newId(), username, email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now: at(0) });
      }
      alice = (await users.findForLogin('alice'))!.user.id;
      bob = (await users.findForLogin('bob'))!.user.id;
    });
    after(() => opened.close());

    it("another user's agent id cannot be read, updated or deleted", async () => {
      const mine = agent(alice);
      assert.equal(await agents.insert(mine), true);

      assert.equal(await agents.findVisible(bob, mine.id, false), undefined);
      assert.equal(await agents.findVisible(bob, mine.id, true), undefined, 'not even with the admin view of system agents');
      assert.equal((await agents.listVisible(bob, { offset: 0, limit: 50, inactive: 'all', includePrivateSystem: true })).items.some((found) => found.id === mine.id), false);

      assert.equal(await agents.update(bob, mine.id, { name: 'Stolen' }, at(2)), false);
      // The system path (owner null) reaches system agents only, never a user's.
      assert.equal(await agents.update(null, mine.id, { name: 'Stolen' }, at(2)), false);
      assert.equal(await agents.delete(bob, mine.id), false);
      assert.equal(await agents.delete(null, mine.id), false);
      assert.deepEqual(await agents.findVisible(alice, mine.id, false), mine);

      assert.equal(await agents.update(alice, mine.id, { name: 'Renamed' }, at(3)), true);
      assert.equal((await agents.findVisible(alice, mine.id, false))!.name, 'Renamed');
      assert.equal(await agents.delete(alice, mine.id), true);
      assert.equal(await agents.findVisible(alice, mine.id, false), undefined);
    });

    it('system agents change only through the system owner (null), not through any user', async () => {
      const shared = agent(null);
      await agents.insert(shared);
      assert.equal((await agents.findVisible(bob, shared.id, false))?.id, shared.id, 'public system agents are visible');
      assert.equal(await agents.update(bob, shared.id, { name: 'Mine now' }, at(2)), false);
      assert.equal(await agents.delete(bob, shared.id), false);
      assert.equal(await agents.update(null, shared.id, { name: 'Edited by an admin' }, at(3)), true);
      assert.equal((await agents.findVisible(bob, shared.id, false))!.name, 'Edited by an admin');
      assert.equal(await agents.delete(null, shared.id), true);
    });

    it("taken ids are answered as ids only, and another user's endpoint provider is not shown", async () => {
      const providerId = newId();
      await createProvidersRepository(opened.db).create({
        id: providerId, userId: alice, name: 'Own endpoint', providerType: 'openai', baseUrl: 'https://api.example.test/v1', apiKeyCipher: null,
        apiKeyHint: 'sk-…abcd', defaultModel: null, models: [], maxTokens: null, contextWindow: null, isDefault: false, enabled: true,
        fallbackProviderId: null, fallbackModel: null, settings: { agentId: 'x' }, createdAt: at(1), updatedAt: at(1),
      });
      const mine = agent(alice, { provider: providerId, endpointProviderId: providerId });
      await agents.insert(mine);
      assert.deepEqual([...(await agents.findTakenIds([mine.id, 'free-id']))], [mine.id]);
      assert.equal((await agents.findEndpointProviders(alice, [providerId])).get(providerId)?.apiKeyHint, 'sk-…abcd');
      assert.equal((await agents.findEndpointProviders(bob, [providerId])).size, 0);
    });

    it('the agents file reload sees only system agents of its source', async () => {
      const fromFile = agent(null, { source: 'file' });
      await agents.insert(fromFile);
      await agents.insert(agent(alice, { source: 'user' }));
      assert.deepEqual((await agents.listSystemBySource('file')).map((found) => found.id), [fromFile.id]);
    });
  });
}
