import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testDatabases } from '../../../test/support/databases.ts';
import type { Database } from '../database.ts';
import { createIdGenerator } from '../ids.ts';
import { migrateToLatest } from '../migrate.ts';
import { createAgentsRepository } from './agents-repository.ts';
import { createConversationsRepository } from './conversations-repository.ts';
import { createMessagesRepository } from './messages-repository.ts';
import { createProvidersRepository } from './providers-repository.ts';
import { createUsersRepository } from './users-repository.ts';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

/** Not JSON, and JSON of the wrong shape for every column below. */
const notJson = '{"theme": "dark", oops';
const wrongShape = { object: '[1, 2]', list: '{"a": 1}', stringList: '[1, 2]' } as const;

/** The error names the table, the column and the row, and does not carry the stored text. */
function namesRow(table: string, column: string, id: string, stored: string) {
  return (error: unknown) => {
    assert.ok(error instanceof Error, 'an Error');
    assert.match(error.message, new RegExp(`${table}\\.${column} of row ${id}\\b`));
    assert.ok(!error.message.includes(stored), `the message leaks the stored text: ${error.message}`);
    return true;
  };
}

for (const database of testDatabases()) {
  describe(`corrupt JSON columns fail loudly (${database.name})`, () => {
    let opened: Database;
    const newId = createIdGenerator();
    let alice: string;

    before(async () => {
      opened = await database.open();
      await migrateToLatest(opened);
      const users = createUsersRepository(opened.db);
      await users.create({ id: newId(), username: 'alice', email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now: at(0) });
      alice = (await users.findForLogin('alice'))!.user.id;
    });
    after(() => opened.close());

    /** Writes raw text into a column, bypassing every repository. */
    async function corrupt(table: string, column: string, id: string, text: string): Promise<void> {
      await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${text} where id = ${id}`.execute(opened.db);
    }
    async function stored(table: string, column: string, id: string): Promise<unknown> {
      const result = await sql<{ value: unknown }>`select ${sql.ref(column)} as value from ${sql.table(table)} where id = ${id}`.execute(opened.db);
      return result.rows[0]?.value;
    }

    it('conversations.metadata: not JSON, or not an object', async () => {
      const conversations = createConversationsRepository(opened.db);
      for (const text of [notJson, wrongShape.object]) {
        const { id } = await conversations.create(alice, { id: newId(), title: 'c', metadata: { theme: 'dark' }, now: at(1) });
        await corrupt('conversations', 'metadata', id, text);
        await assert.rejects(conversations.findForUser(alice, id), namesRow('conversations', 'metadata', id, text));
        await assert.rejects(conversations.listForUser(alice, { offset: 0, limit: 50 }), namesRow('conversations', 'metadata', id, text));
        // An update that does not name metadata leaves it alone, and its read-back still refuses.
        await assert.rejects(conversations.update(alice, id, { title: 'renamed' }, at(2)), namesRow('conversations', 'metadata', id, text));
        assert.equal(await stored('conversations', 'metadata', id), text);
        await conversations.delete(alice, id);
      }
    });

    for (const [column, text] of [
      ['steps', notJson], ['steps', wrongShape.list],
      ['attachments', notJson], ['attachments', wrongShape.list],
      ['usage', notJson], ['usage', wrongShape.object],
      ['metadata', notJson], ['metadata', wrongShape.object],
    ] as const) {
      it(`messages.${column}: ${text === notJson ? 'not JSON' : 'the wrong shape'}`, async () => {
        const conversations = createConversationsRepository(opened.db);
        const messages = createMessagesRepository(opened.db);
        const conversation = await conversations.create(alice, { id: newId(), title: 'm', now: at(1) });
        const message = await messages.create(alice, conversation.id, {
          id: newId(), role: 'user', content: 'hi', metadata: { feedback: 'good' }, usage: { totalTokens: 3 }, attachments: [{ id: 'f' }], now: at(1),
        });
        await corrupt('messages', column, message.id, text);
        await assert.rejects(messages.findForUser(alice, message.id), namesRow('messages', column, message.id, text));
        await assert.rejects(messages.listForConversation(alice, conversation.id, {}), namesRow('messages', column, message.id, text));
        assert.equal(await stored('messages', column, message.id), text);
      });
    }

    for (const [column, text] of [
      ['models', notJson], ['models', wrongShape.stringList],
      ['settings', notJson], ['settings', wrongShape.object], ['settings', '{"preset": 7}'],
    ] as const) {
      it(`providers.${column}: ${text === notJson ? 'not JSON' : `the wrong shape ${text}`}`, async () => {
        const providers = createProvidersRepository(opened.db);
        const id = newId();
        await providers.create({
          id, userId: alice, name: 'P', providerType: 'openai', baseUrl: null, apiKeyCipher: null, apiKeyHint: null, defaultModel: null,
          models: ['m'], maxTokens: null, contextWindow: null, isDefault: false, enabled: true, fallbackProviderId: null, fallbackModel: null,
          settings: { preset: 'deepseek' }, createdAt: at(1), updatedAt: at(1),
        });
        await corrupt('providers', column, id, text);
        await assert.rejects(providers.findOwned(alice, id), namesRow('providers', column, id, text));
        await assert.rejects(providers.listVisible(alice), namesRow('providers', column, id, text));
        assert.equal(await stored('providers', column, id), text);
        await providers.delete(alice, id);
      });
    }

    for (const [sqlColumn, text] of [
      ['capabilities', notJson], ['capabilities', wrongShape.stringList],
      ['config', notJson], ['config', wrongShape.object], ['config', '{"temperature": "hot"}'],
      ['tools', notJson], ['tools', wrongShape.stringList],
      ['knowledge_base_ids', notJson], ['knowledge_base_ids', wrongShape.stringList],
    ] as const) {
      it(`agents.${sqlColumn}: ${text === notJson ? 'not JSON' : `the wrong shape ${text}`}`, async () => {
        const agents = createAgentsRepository(opened.db);
        const id = newId();
        await agents.insert({
          id, ownerId: alice, source: 'user', name: 'A', description: '', category: null, provider: 'openai', avatar: null, status: 'active',
          visibility: 'private', capabilities: ['c'], config: { model: 'm', temperature: 0.5 }, tools: ['t'], knowledgeBaseIds: ['k'],
          createdAt: at(1), updatedAt: at(1),
        });
        await corrupt('agents', sqlColumn, id, text);
        await assert.rejects(agents.findVisible(alice, id, false), namesRow('agents', sqlColumn, id, text));
        assert.equal(await stored('agents', sqlColumn, id), text);
      });
    }
  });
}
