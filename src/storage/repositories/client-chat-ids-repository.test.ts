import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import type { Database } from '../database.ts';
import { createIdGenerator } from '../ids.ts';
import { migrateToLatest } from '../migrate.ts';
import { createClientChatIdsRepository, type ClientChatIdsRepository } from './client-chat-ids-repository.ts';
import { createConversationsRepository, type ConversationsRepository } from './conversations-repository.ts';
import { createUsersRepository } from './users-repository.ts';

const now = '2026-01-01T00:00:00.000Z';

for (const database of testDatabases()) {
  describe(`client chat ids repository (${database.name})`, () => {
    let opened: Database;
    let chatIds: ClientChatIdsRepository;
    let conversations: ConversationsRepository;
    const newId = createIdGenerator();
    let alice: string;
    let bob: string;

    before(async () => {
      opened = await database.open();
      await migrateToLatest(opened);
      chatIds = createClientChatIdsRepository(opened.db);
      conversations = createConversationsRepository(opened.db);
      const users = createUsersRepository(opened.db);
      for (const username of ['alice', 'bob']) {
        await users.create({ id: newId(), username, email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now });
      }
      alice = (await users.findForLogin('alice'))!.user.id;
      bob = (await users.findForLogin('bob'))!.user.id;
    });
    after(() => opened.close());

    const fields = (agentId: string | null = null) => ({ id: newId(), title: 'Chat', agentId, now });

    it('keys by (user, client id): two users with one client id get two conversations, each finding only their own', async () => {
      const first = await chatIds.findOrCreate(alice, 'session_1', fields());
      const again = await chatIds.findOrCreate(alice, 'session_1', fields());
      const bobs = await chatIds.findOrCreate(bob, 'session_1', fields());
      assert.equal(first.created, true);
      assert.deepEqual(again, { conversationId: first.conversationId, created: false });
      assert.equal(bobs.created, true);
      assert.notEqual(bobs.conversationId, first.conversationId);
      assert.equal(await chatIds.find(alice, 'session_1'), first.conversationId);
      assert.equal(await chatIds.find(bob, 'session_1'), bobs.conversationId);
      assert.equal(await chatIds.clientIdOf(bob, first.conversationId), undefined);
      assert.equal((await conversations.findForUser(bob, first.conversationId)), undefined);
    });

    it('makes exactly one conversation when first uses race, leaving no orphan behind', async () => {
      const attempts = await Promise.all(Array.from({ length: 6 }, () => chatIds.findOrCreate(alice, 'session_race', fields('agent-race'))));
      assert.equal(new Set(attempts.map((attempt) => attempt.conversationId)).size, 1);
      assert.equal(attempts.filter((attempt) => attempt.created).length, 1);
      const listed = await chatIds.listForAgent(alice, 'agent-race', { offset: 0, limit: 10 });
      assert.deepEqual(listed.map((chat) => chat.chatId), ['session_race']);
    });

    it('lists per agent with the client id (or the conversation id), and the id goes with its conversation', async () => {
      const mapped = await chatIds.findOrCreate(alice, 'session_list', fields('agent-list'));
      const plain = await conversations.create(alice, { ...fields('agent-list') });
      const listed = await chatIds.listForAgent(alice, 'agent-list', { offset: 0, limit: 10 });
      assert.deepEqual(listed.map((chat) => chat.chatId).sort(), ['session_list', plain.id].sort());
      assert.deepEqual(await chatIds.listForAgent(bob, 'agent-list', { offset: 0, limit: 10 }), []);

      assert.equal(await conversations.delete(alice, mapped.conversationId), true);
      assert.equal(await chatIds.find(alice, 'session_list'), undefined);
      const reopened = await chatIds.findOrCreate(alice, 'session_list', fields('agent-list'));
      assert.equal(reopened.created, true);

      assert.equal(await chatIds.deleteForAgent(bob, 'agent-list'), 0);
      assert.equal(await chatIds.deleteForAgent(alice, 'agent-list'), 2);
      assert.deepEqual(await chatIds.listForAgent(alice, 'agent-list', { offset: 0, limit: 10 }), []);
    });
  });
}
