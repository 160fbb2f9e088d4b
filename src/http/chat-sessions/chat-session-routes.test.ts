import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';

const turns = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: `m${index}` }));

for (const database of testDatabases()) {
  describe(`LLMChat chat session routes (${database.name})`, () => {
    let harness: TestApp;
    let token: string;
    let sessionCounter = 0;
    before(async () => {
      harness = await createTestApp(await database.open());
      token = (await signUp(harness.app)).token;
    });
    after(() => harness.close());

    const newSessionId = () => `session_${Date.now()}_${(sessionCounter += 1)}`;
    const save = (payload: unknown, as = token) =>
      harness.app.inject({ method: 'POST', url: '/api/chat/sessions/save', headers: bearer(as), payload: payload as object });
    const history = (id: string, query = '', as = token) =>
      harness.app.inject({ method: 'GET', url: `/api/chat/sessions/${id}/history${query}`, headers: bearer(as) });
    const contents = (data: { items: Array<{ content: string }> }) => data.items.map((item) => item.content);

    it('creates a session under the client id on first save and answers the LLMChat shape', async () => {
      const sessionId = newSessionId();
      const response = await save({ sessionId, title: '对话标题', agentId: 'agent_uuid', messages: turns(2) });
      assert.equal(response.statusCode, 200, response.body);
      const body = json(response);
      assert.equal(body.code, 'SUCCESS');
      assert.deepEqual(body.data, { sessionId, title: '对话标题', messageCount: 2 });

      const read = await history(sessionId);
      assert.equal(read.statusCode, 200, read.body);
      const data = json(read).data;
      assert.equal(data.sessionId, sessionId);
      assert.equal(data.title, '对话标题');
      assert.deepEqual(contents(data), ['m0', 'm1']);
      assert.deepEqual(Object.keys(data.items[0]).sort(), ['content', 'createdAt', 'id', 'role', 'status', 'tokenCount']);
      assert.equal(data.items[0].role, 'user');
      assert.equal(data.items[0].status, 'complete');
      assert.equal(data.total, 2);
      assert.equal(data.page_size, 50, 'LLMChat default limit');
      assert.deepEqual(data.pagination, { page: 1, limit: 50, total: 2, totalPages: 1 });
    });

    it('appends when the stored messages begin the transcript, keeping their ids', async () => {
      const sessionId = newSessionId();
      await save({ sessionId, title: 'Growing', messages: turns(2) });
      const before = json(await history(sessionId)).data.items;
      const response = await save({ sessionId, messages: turns(4) });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(json(response).data, { sessionId, title: 'Growing', messageCount: 4 }, 'no title keeps the old one');
      const after = json(await history(sessionId)).data.items;
      assert.deepEqual(after.map((item: { content: string }) => item.content), ['m0', 'm1', 'm2', 'm3']);
      assert.deepEqual(after.slice(0, 2), before, 'stored messages are untouched');

      const same = await save({ sessionId, messages: turns(4) });
      assert.equal(json(same).data.messageCount, 4, 'saving the same transcript adds nothing');
      assert.deepEqual(json(await history(sessionId)).data.items, after);
    });

    it('does not duplicate messages when the same transcript is saved concurrently', async () => {
      const sessionId = newSessionId();
      await save({ sessionId, messages: turns(2) });
      const responses = await Promise.all(Array.from({ length: 6 }, () => save({ sessionId, messages: turns(6) })));
      for (const response of responses) assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(contents(json(await history(sessionId)).data), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);

      const fresh = newSessionId();
      const creations = await Promise.all(Array.from({ length: 4 }, () => save({ sessionId: fresh, messages: turns(3) })));
      for (const response of creations) assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(contents(json(await history(fresh)).data), ['m0', 'm1', 'm2']);
    });

    it('replaces the stored messages when the transcript diverges or is shorter', async () => {
      const sessionId = newSessionId();
      await save({ sessionId, messages: turns(3) });
      const edited = [turns(3)[0]!, { role: 'assistant', content: 'a different reply' }];
      const response = await save({ sessionId, title: 'Edited', messages: edited });
      assert.deepEqual(json(response).data, { sessionId, title: 'Edited', messageCount: 2 });
      assert.deepEqual(contents(json(await history(sessionId)).data), ['m0', 'a different reply']);

      const shorter = await save({ sessionId, messages: [turns(1)[0]] });
      assert.equal(json(shorter).data.messageCount, 1);
      assert.deepEqual(contents(json(await history(sessionId)).data), ['m0']);

      const cleared = await save({ sessionId, messages: [] });
      assert.equal(json(cleared).data.messageCount, 0);
      assert.deepEqual(contents(json(await history(sessionId)).data), []);
    });

    it('pages history newest page first, each page oldest first', async () => {
      const sessionId = newSessionId();
      await save({ sessionId, messages: turns(7) });
      const first = json(await history(sessionId, '?limit=3')).data;
      assert.deepEqual(contents(first), ['m4', 'm5', 'm6']);
      assert.deepEqual(first.pagination, { page: 1, limit: 3, total: 7, totalPages: 3 });
      assert.deepEqual(contents(json(await history(sessionId, '?limit=3&page=2')).data), ['m1', 'm2', 'm3']);
      assert.deepEqual(contents(json(await history(sessionId, '?limit=3&page=3')).data), ['m0']);
      assert.deepEqual(contents(json(await history(sessionId, '?limit=3&page=4')).data), []);

      const beforeId = first.items[0].id;
      const older = json(await history(sessionId, `?limit=3&before=${beforeId}`)).data;
      assert.deepEqual(contents(older), ['m1', 'm2', 'm3']);
      assert.equal(older.total, 4, 'total counts only the messages before the cursor');
      assert.deepEqual(contents(json(await history(sessionId, `?limit=3&page=2&before=${beforeId}`)).data), ['m0']);
      const oldest = json(await history(sessionId, `?before=${older.items[0].id}`)).data;
      assert.deepEqual(contents(oldest), ['m0']);
    });

    it('sees a conversation created elsewhere', async () => {
      const created = json(
        await harness.app.inject({ method: 'POST', url: '/api/conversations', headers: bearer(token), payload: { title: 'From Luxx' } }),
      ).data;
      const data = json(await history(created.id)).data;
      assert.equal(data.title, 'From Luxx');
      assert.deepEqual(data.items, []);
      assert.equal(data.total, 0);

      const saved = await save({ sessionId: created.id, messages: turns(1) });
      assert.deepEqual(json(saved).data, { sessionId: created.id, title: 'From Luxx', messageCount: 1 });
    });

    it("answers 404 for another user's session on history and save, and leaves it alone", async () => {
      const sessionId = newSessionId();
      await save({ sessionId, title: 'Private', messages: turns(2) });
      const intruder = await signUp(harness.app);
      const read = await history(sessionId, '', intruder.token);
      assert.equal(read.statusCode, 404);
      assert.equal(json(read).code, 'NOT_FOUND');
      const overwrite = await save({ sessionId, title: 'Mine now', messages: [] }, intruder.token);
      assert.equal(overwrite.statusCode, 404, overwrite.body);
      assert.equal(json(overwrite).message, 'conversation not found', 'the same answer as an id nobody has');
      const data = json(await history(sessionId)).data;
      assert.equal(data.title, 'Private');
      assert.equal(data.total, 2);
    });

    it('refuses malformed saves and queries with 400', async () => {
      const cases: unknown[] = [
        { title: 'no id', messages: [] },
        { sessionId: 'has spaces', messages: [] },
        { sessionId: 'x'.repeat(129), messages: [] },
        { sessionId: 'ok-id', messages: 'not an array' },
        { sessionId: 'ok-id' },
        { sessionId: 'ok-id', messages: [{ role: 'user' }] },
        { sessionId: 'ok-id', messages: [{ role: 'narrator', content: 'once' }] },
        { sessionId: 'ok-id', messages: [{ role: 'user', content: 5 }] },
        { sessionId: 12345, messages: [] },
      ];
      for (const payload of cases) {
        const response = await save(payload);
        assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(json(response).code, 'VALIDATION_ERROR');
      }
      const notJson = await harness.app.inject({
        method: 'POST',
        url: '/api/chat/sessions/save',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        payload: "{sessionId: 'ok-id'}",
      });
      assert.equal(notJson.statusCode, 400);
      assert.equal((await history('ok-id')).statusCode, 404, 'no failed save created the session');
      const sessionId = newSessionId();
      await save({ sessionId, messages: [] });
      for (const query of ['?page=0', '?limit=0', '?limit=201', '?page=x']) {
        assert.equal((await history(sessionId, query)).statusCode, 400, query);
      }
    });
  });
}
