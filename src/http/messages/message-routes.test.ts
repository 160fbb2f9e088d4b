import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';

const messageKeys = [
  'attachments',
  'content',
  'conversation_id',
  'created_at',
  'error',
  'id',
  'model',
  'parent_id',
  'process_steps',
  'role',
  'status',
  'text',
  'token_count',
  'usage',
];

for (const database of testDatabases()) {
  describe(`Luxx message routes (${database.name})`, () => {
    let harness: TestApp;
    let token: string;
    before(async () => {
      harness = await createTestApp(await database.open());
      token = (await signUp(harness.app)).token;
    });
    after(() => harness.close());

    const get = (url: string, as = token) => harness.app.inject({ method: 'GET', url, headers: bearer(as) });

    async function conversationWith(contents: Array<[string, string]>, title = 'Chat'): Promise<string> {
      const id = json(await harness.app.inject({ method: 'POST', url: '/api/conversations', headers: bearer(token), payload: { title } })).data.id;
      for (const [role, content] of contents) {
        const added = await harness.app.inject({
          method: 'POST',
          url: `/api/sessions/${id}/messages`,
          headers: bearer(token),
          payload: { role, content, tokens: content.length },
        });
        assert.equal(added.statusCode, 200, added.body);
      }
      return id;
    }

    it('lists messages by query and by path with the Luxx shape', async () => {
      const id = await conversationWith([
        ['system', 'Be kind.'],
        ['user', '用户消息'],
        ['assistant', 'AI 回复文本内容'],
      ], '会话标题');
      const byQuery = await get(`/api/messages/?conversation_id=${id}`);
      assert.equal(byQuery.statusCode, 200, byQuery.body);
      const data = json(byQuery).data;
      assert.deepEqual(Object.keys(data).sort(), ['first_message', 'messages', 'title']);
      assert.equal(data.title, '会话标题');
      assert.equal(data.first_message, '用户消息', 'the first user message, not the system prompt');
      assert.deepEqual(data.messages.map((message: { role: string }) => message.role), ['system', 'user', 'assistant']);
      const [, user] = data.messages;
      assert.deepEqual(Object.keys(user).sort(), messageKeys);
      assert.equal(user.conversation_id, id);
      assert.equal(user.content, '用户消息');
      assert.equal(user.text, '用户消息');
      assert.deepEqual(user.attachments, []);
      assert.deepEqual(user.process_steps, []);
      assert.equal(user.token_count, 4);
      assert.equal(user.usage, null);
      assert.equal(user.status, 'complete');
      // Appended messages continue the active branch of the message tree (decision 0006).
      assert.equal(user.parent_id, data.messages[0].id);

      const byPath = await get(`/api/messages/${id}`);
      assert.equal(byPath.statusCode, 200, byPath.body);
      assert.deepEqual(json(byPath).data, data);
    });

    it('returns the newest messages oldest first when limited, keeping the first user message', async () => {
      const id = await conversationWith([
        ['user', 'one'],
        ['assistant', 'two'],
        ['user', 'three'],
        ['assistant', 'four'],
      ]);
      for (const url of [`/api/messages?conversation_id=${id}&limit=2`, `/api/messages/${id}?limit=2`]) {
        const data = json(await get(url)).data;
        assert.deepEqual(data.messages.map((message: { content: string }) => message.content), ['three', 'four'], url);
        assert.equal(data.first_message, 'one');
      }
    });

    it('answers an empty conversation with no messages and a null first message', async () => {
      const id = await conversationWith([]);
      const data = json(await get(`/api/messages/${id}`)).data;
      assert.deepEqual(data.messages, []);
      assert.equal(data.first_message, null);
    });

    it('deletes one message', async () => {
      const id = await conversationWith([
        ['user', 'keep'],
        ['user', 'drop'],
      ]);
      const [, drop] = json(await get(`/api/messages/${id}`)).data.messages;
      const response = await harness.app.inject({ method: 'DELETE', url: `/api/messages/${drop.id}`, headers: bearer(token) });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(json(response).success, true);
      assert.deepEqual(
        json(await get(`/api/messages/${id}`)).data.messages.map((message: { content: string }) => message.content),
        ['keep'],
      );
      const again = await harness.app.inject({ method: 'DELETE', url: `/api/messages/${drop.id}`, headers: bearer(token) });
      assert.equal(again.statusCode, 404);
      assert.equal(json(again).message, 'message not found');
    });

    it('answers 404 for an unknown conversation and 400 for a missing or bad parameter', async () => {
      assert.equal((await get('/api/messages/not-a-conversation')).statusCode, 404);
      assert.equal((await get('/api/messages?conversation_id=not-a-conversation')).statusCode, 404);
      const missing = await get('/api/messages');
      assert.equal(missing.statusCode, 400);
      assert.match(json(missing).message, /conversation_id/);
      const id = await conversationWith([]);
      for (const limit of ['0', '-1', 'many', '5000']) {
        const response = await get(`/api/messages/${id}?limit=${limit}`);
        assert.equal(response.statusCode, 400, `limit=${limit}: ${response.body}`);
        assert.equal(json(response).code, 'VALIDATION_ERROR');
      }
    });
  });
}
