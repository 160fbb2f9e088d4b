import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Database } from '../database.ts';
import { createIdGenerator } from '../ids.ts';
import { migrateToLatest } from '../migrate.ts';
import { createConversationTransaction } from './conversation-transaction.ts';
import { createConversationsRepository, type ConversationsRepository } from './conversations-repository.ts';
import { createMessagesRepository, type MessagesRepository } from './messages-repository.ts';
import { createUsersRepository } from './users-repository.ts';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

function rejectsWith(code: string) {
  return (error: unknown) => error instanceof AppError && error.code === code;
}

for (const database of testDatabases()) {
  describe(`conversations and messages repositories (${database.name})`, () => {
    let opened: Database;
    let conversations: ConversationsRepository;
    let messages: MessagesRepository;
    const newId = createIdGenerator();
    let alice: string;
    let bob: string;

    before(async () => {
      opened = await database.open();
      await migrateToLatest(opened);
      conversations = createConversationsRepository(opened.db);
      messages = createMessagesRepository(opened.db);
      const users = createUsersRepository(opened.db);
      for (const username of ['alice', 'bob']) {
        await users.create({ id: newId(), username, email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now: at(0) });
      }
      alice = (await users.findForLogin('alice'))!.user.id;
      bob = (await users.findForLogin('bob'))!.user.id;
    });
    after(() => opened.close());

    it('creates with defaults and finds only for the owner', async () => {
      const created = await conversations.create(alice, { id: newId(), title: 'First', now: at(1) });
      assert.deepEqual(
        { ...created, id: undefined },
        {
          id: undefined,
          userId: alice,
          projectId: null,
          agentId: null,
          title: 'First',
          model: null,
          providerId: null,
          systemPrompt: null,
          temperature: null,
          maxTokens: null,
          thinkingEnabled: false,
          isActive: true,
          metadata: {},
          messageCount: 0,
          createdAt: at(1),
          updatedAt: at(1),
        },
      );
      assert.deepEqual(await conversations.findForUser(alice, created.id), created);
      assert.equal(await conversations.findForUser(bob, created.id), undefined);
    });

    it("answers NOT_FOUND for another user's id and CONFLICT only for the caller's own", async () => {
      const id = 'session_1700000000000';
      await conversations.create(alice, { id, title: 'Mine', temperature: 0.7, thinkingEnabled: true, now: at(2) });
      await assert.rejects(conversations.create(bob, { id, title: 'Theirs', now: at(3) }), rejectsWith('NOT_FOUND'));
      await assert.rejects(conversations.create(alice, { id, title: 'Again', now: at(3) }), rejectsWith('CONFLICT'));
      await assert.rejects(conversations.findOrCreate(bob, { id, title: 'Theirs', now: at(3) }), rejectsWith('NOT_FOUND'));
      const stored = await conversations.findForUser(alice, id);
      assert.equal(stored?.title, 'Mine');
      assert.equal(stored?.temperature, 0.7);
      assert.equal(stored?.thinkingEnabled, true);
    });

    it('finds or creates by id', async () => {
      const id = newId();
      const first = await conversations.findOrCreate(alice, { id, title: 'Saved', agentId: 'agent-1', now: at(4) });
      assert.equal(first.created, true);
      assert.equal(first.conversation.agentId, 'agent-1');
      const second = await conversations.findOrCreate(alice, { id, title: 'Ignored', now: at(5) });
      assert.equal(second.created, false);
      assert.equal(second.conversation.title, 'Saved');
    });

    it('lists the owner’s conversations newest first with a total, filters and paging', async () => {
      const owner = (await createUsersRepository(opened.db).create({
        id: newId(), username: 'lister', email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now: at(0),
      })).id;
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const created = await conversations.create(owner, {
          id: newId(),
          title: `c${index}`,
          projectId: index % 2 === 0 ? 'even' : 'odd',
          isActive: index !== 4,
          now: at(10 + index),
        });
        ids.push(created.id);
      }
      const all = await conversations.listForUser(owner, { offset: 0, limit: 10 });
      assert.equal(all.total, 5);
      assert.deepEqual(all.items.map((item) => item.title), ['c4', 'c3', 'c2', 'c1', 'c0']);
      const page = await conversations.listForUser(owner, { offset: 1, limit: 2 });
      assert.deepEqual(page.items.map((item) => item.title), ['c3', 'c2']);
      assert.equal(page.total, 5);
      const even = await conversations.listForUser(owner, { offset: 0, limit: 10, projectId: 'even' });
      assert.deepEqual(even.items.map((item) => item.title), ['c4', 'c2', 'c0']);
      assert.equal(even.total, 3);
      const active = await conversations.listForUser(owner, { offset: 0, limit: 10, activeOnly: true, projectId: 'even' });
      assert.deepEqual(active.items.map((item) => item.title), ['c2', 'c0']);
      assert.equal(active.total, 2);
      assert.equal((await conversations.listForUser(bob, { offset: 0, limit: 100 })).items.some((item) => ids.includes(item.id)), false);

      // Touching moves a conversation to the top.
      assert.equal(await conversations.touch(owner, ids[0]!, at(30)), true);
      assert.equal((await conversations.listForUser(owner, { offset: 0, limit: 1 })).items[0]?.id, ids[0]);
      assert.equal(await conversations.touch(bob, ids[0]!, at(31)), false);
    });

    it('updates only the named fields, clears with null, and only for the owner', async () => {
      const created = await conversations.create(alice, {
        id: newId(), title: 'Before', model: 'm1', systemPrompt: 'be brief', maxTokens: 100, now: at(40),
      });
      assert.equal(await conversations.update(bob, created.id, { title: 'Stolen' }, at(41)), undefined);
      assert.equal((await conversations.findForUser(alice, created.id))?.title, 'Before');
      const updated = await conversations.update(alice, created.id, { title: 'After', systemPrompt: null, isActive: false }, at(42));
      assert.equal(updated?.title, 'After');
      assert.equal(updated?.systemPrompt, null);
      assert.equal(updated?.isActive, false);
      assert.equal(updated?.model, 'm1');
      assert.equal(updated?.maxTokens, 100);
      assert.equal(updated?.updatedAt, at(42));
      assert.equal(updated?.createdAt, at(40));
    });

    it('stores messages in order and pages them with offset and a before-cursor', async () => {
      const conversation = await conversations.create(alice, { id: newId(), title: 'Chat', now: at(50) });
      const created = await messages.createMany(
        alice,
        conversation.id,
        Array.from({ length: 6 }, (_, index) => ({
          id: newId(),
          role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
          content: `m${index}`,
          now: at(51),
        })),
      );
      const ids = created.map((message) => message.id);
      assert.equal(await messages.count(alice, conversation.id), 6);
      assert.equal((await conversations.findForUser(alice, conversation.id))?.messageCount, 6);
      const all = await messages.listForConversation(alice, conversation.id, { limit: 100 });
      assert.deepEqual(await messages.listForConversation(alice, conversation.id, {}), all, 'no limit lists every message');
      assert.deepEqual(all.map((message) => message.content), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
      const window = await messages.listForConversation(alice, conversation.id, { limit: 2, offset: 3 });
      assert.deepEqual(window.map((message) => message.content), ['m3', 'm4']);
      const older = await messages.listForConversation(alice, conversation.id, { limit: 100, beforeId: ids[3] });
      assert.deepEqual(older.map((message) => message.content), ['m0', 'm1', 'm2']);
      assert.equal(await messages.count(alice, conversation.id, { beforeId: ids[3] }), 3);
      assert.equal((await messages.findFirstWithRole(alice, conversation.id, 'assistant'))?.content, 'm1');

      assert.deepEqual(await messages.listForConversation(bob, conversation.id, { limit: 100 }), []);
      assert.equal(await messages.count(bob, conversation.id), 0);
      assert.equal(await messages.findForUser(bob, ids[0]!), undefined);
      assert.equal(await messages.delete(bob, ids[0]!), false);
      assert.equal(await messages.delete(alice, ids[0]!), true);
      assert.equal(await messages.findForUser(alice, ids[0]!), undefined);
      assert.equal(await messages.deleteForConversation(bob, conversation.id), 0);
      assert.equal(await messages.deleteForConversation(alice, conversation.id), 5);
    });

    it('round-trips JSON columns and refuses messages in a conversation the caller does not own', async () => {
      const conversation = await conversations.create(alice, { id: newId(), title: 'Json', now: at(60) });
      const steps = [{ id: 'step-0', index: 0, type: 'thinking', content: 'hmm' }];
      const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
      const stored = await messages.create(alice, conversation.id, {
        id: newId(), role: 'assistant', content: 'hi', steps, attachments: [{ name: 'a.txt' }], usage, tokenCount: 3,
        metadata: { source: 'test' }, status: 'incomplete', now: at(61),
      });
      const found = await messages.findForUser(alice, stored.id);
      assert.deepEqual(found, stored);
      assert.deepEqual(found?.steps, steps);
      assert.deepEqual(found?.usage, usage);
      assert.deepEqual(found?.metadata, { source: 'test' });
      assert.equal(found?.status, 'incomplete');
      assert.equal(found?.userId, alice);

      await assert.rejects(
        messages.create(bob, conversation.id, { id: newId(), role: 'user', content: 'intrusion', now: at(62) }),
        rejectsWith('NOT_FOUND'),
      );
      assert.equal(await messages.count(alice, conversation.id), 1);
    });

    it('inserts more rows than one statement may bind', async () => {
      const conversation = await conversations.create(alice, { id: newId(), title: 'Long', now: at(70) });
      const many = Array.from({ length: 2500 }, (_, index) => ({ id: newId(), role: 'user' as const, content: String(index), now: at(71) }));
      await messages.createMany(alice, conversation.id, many);
      assert.equal(await messages.count(alice, conversation.id), 2500);
      const last = await messages.listForConversation(alice, conversation.id, { limit: 1, offset: 2499 });
      assert.equal(last[0]?.content, '2499');
    });

    it('deletes a conversation with its messages, only for the owner', async () => {
      const conversation = await conversations.create(alice, { id: newId(), title: 'Doomed', now: at(80) });
      await messages.create(alice, conversation.id, { id: newId(), role: 'user', content: 'bye', now: at(81) });
      assert.equal(await conversations.delete(bob, conversation.id), false);
      assert.equal(await messages.count(alice, conversation.id), 1);
      assert.equal(await conversations.delete(alice, conversation.id), true);
      assert.equal(await conversations.findForUser(alice, conversation.id), undefined);
      const orphans = await opened.db.selectFrom('messages').select('id').where('conversationId', '=', conversation.id).execute();
      assert.deepEqual(orphans, []);
    });

    it('rolls a transaction back when its work throws', async () => {
      const transaction = createConversationTransaction(opened.db);
      const id = newId();
      await assert.rejects(
        transaction(async (repositories) => {
          await repositories.conversations.create(alice, { id, title: 'Temporary', now: at(90) });
          await repositories.messages.create(alice, id, { id: newId(), role: 'user', content: 'x', now: at(90) });
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal(await conversations.findForUser(alice, id), undefined);
    });
  });
}
