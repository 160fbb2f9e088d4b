import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp, steppingClock } from '../../../test/support/test-app.ts';

const conversationKeys = [
  'created_at',
  'id',
  'is_active',
  'max_tokens',
  'message_count',
  'model',
  'project_id',
  'provider_id',
  'system_prompt',
  'temperature',
  'thinking_enabled',
  'title',
  'updated_at',
  'user_id',
];

for (const database of testDatabases()) {
  describe(`Luxx conversation routes (${database.name})`, () => {
    let harness: TestApp;
    let token: string;
    let userId: string;
    before(async () => {
      harness = await createTestApp(await database.open(), { dependencies: { clock: steppingClock() } });
      const user = await signUp(harness.app);
      token = user.token;
      userId = user.id;
    });
    after(() => harness.close());

    const request = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, as = token) =>
      harness.app.inject({ method, url, headers: bearer(as), ...(payload === undefined ? {} : { payload: payload as object }) });

    it('creates a conversation with the Luxx body and answers the Luxx shape', async () => {
      const response = await request('POST', '/api/conversations/', {
        project_id: 'project-1',
        title: '新会话',
        model: 'deepseek-chat',
        provider_id: 1,
        system_prompt: 'You are a helpful assistant.',
        temperature: 0.7,
        max_tokens: 2000,
        thinking_enabled: false,
      });
      assert.equal(response.statusCode, 200, response.body);
      const body = json(response);
      assert.equal(body.success, true);
      assert.equal(body.code, 'SUCCESS');
      assert.deepEqual(Object.keys(body.data).sort(), conversationKeys);
      assert.equal(body.data.user_id, userId);
      assert.equal(body.data.project_id, 'project-1');
      assert.equal(body.data.provider_id, '1', 'numeric provider ids are kept as strings like every other id');
      assert.equal(body.data.title, '新会话');
      assert.equal(body.data.model, 'deepseek-chat');
      assert.equal(body.data.system_prompt, 'You are a helpful assistant.');
      assert.equal(body.data.temperature, 0.7);
      assert.equal(body.data.max_tokens, 2000);
      assert.equal(body.data.thinking_enabled, false);
      assert.equal(body.data.is_active, true);
      assert.equal(body.data.message_count, 0);
      assert.equal(body.data.created_at, body.data.updated_at);

      const fetched = await request('GET', `/api/conversations/${body.data.id}`);
      assert.equal(fetched.statusCode, 200);
      assert.deepEqual(json(fetched).data, body.data);
    });

    it('creates an untitled conversation from an empty or absent body', async () => {
      const empty = await request('POST', '/api/conversations', {});
      assert.equal(empty.statusCode, 200, empty.body);
      assert.equal(json(empty).data.title, 'New conversation');
      assert.equal(json(empty).data.temperature, null);
      const absent = await harness.app.inject({ method: 'POST', url: '/api/conversations', headers: bearer(token) });
      assert.equal(absent.statusCode, 200, absent.body);
      assert.equal(json(absent).data.title, 'New conversation');
      const blankTitle = await request('POST', '/api/conversations', { title: '   ' });
      assert.equal(json(blankTitle).data.title, 'New conversation');
    });

    it('updates only the fields sent and clears fields sent as null', async () => {
      const created = json(
        await request('POST', '/api/conversations', { title: 'Old', model: 'glm-5', system_prompt: 'short', temperature: 1 }),
      ).data;
      const response = await request('PUT', `/api/conversations/${created.id}`, {
        title: '新标题',
        temperature: 0.8,
        max_tokens: 4000,
        thinking_enabled: true,
        system_prompt: null,
      });
      assert.equal(response.statusCode, 200, response.body);
      const updated = json(response).data;
      assert.equal(updated.title, '新标题');
      assert.equal(updated.temperature, 0.8);
      assert.equal(updated.max_tokens, 4000);
      assert.equal(updated.thinking_enabled, true);
      assert.equal(updated.system_prompt, null);
      assert.equal(updated.model, 'glm-5', 'a field not sent keeps its value');
      assert.equal(updated.created_at, created.created_at);
      assert.ok(updated.updated_at > created.updated_at, 'an update moves updated_at');

      const archived = await request('PUT', `/api/conversations/${created.id}`, { is_active: false });
      assert.equal(json(archived).data.is_active, false);
      assert.equal(json(archived).data.title, '新标题');
    });

    it('lists with both pagination shapes, page_size or limit, and a project filter', async () => {
      const lister = await signUp(harness.app);
      const titles: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const title = `Conversation ${index}`;
        titles.push(title);
        const created = await request('POST', '/api/conversations', { title, project_id: index < 2 ? 'alpha' : 'beta' }, lister.token);
        assert.equal(created.statusCode, 200);
      }
      const first = await request('GET', '/api/conversations?page=1&page_size=2', undefined, lister.token);
      assert.equal(first.statusCode, 200, first.body);
      const data = json(first).data;
      assert.equal(data.total, 5);
      assert.equal(data.page, 1);
      assert.equal(data.page_size, 2);
      assert.deepEqual(data.pagination, { page: 1, limit: 2, total: 5, totalPages: 3 });
      assert.deepEqual(
        data.items.map((item: { title: string }) => item.title),
        ['Conversation 4', 'Conversation 3'],
        'most recently updated first',
      );
      const last = json(await request('GET', '/api/conversations?page=3&limit=2', undefined, lister.token)).data;
      assert.deepEqual(last.items.map((item: { title: string }) => item.title), ['Conversation 0']);
      assert.equal(last.pagination.limit, 2);

      const alpha = json(await request('GET', '/api/conversations?project_id=alpha', undefined, lister.token)).data;
      assert.equal(alpha.total, 2);
      assert.equal(alpha.page_size, 20, 'Luxx default page size');
      assert.deepEqual(alpha.items.map((item: { title: string }) => item.title).sort(), ['Conversation 0', 'Conversation 1']);

      const someoneElse = json(await request('GET', '/api/conversations')).data;
      assert.equal(someoneElse.items.some((item: { title: string }) => titles.includes(item.title)), false);
    });

    it('deletes a conversation', async () => {
      const created = json(await request('POST', '/api/conversations', { title: 'Short-lived' })).data;
      const response = await request('DELETE', `/api/conversations/${created.id}`);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(json(response).success, true);
      assert.equal(json(response).data, null);
      assert.equal((await request('GET', `/api/conversations/${created.id}`)).statusCode, 404);
      assert.equal((await request('DELETE', `/api/conversations/${created.id}`)).statusCode, 404);
    });

    it('answers unknown ids with the enveloped 404', async () => {
      const response = await request('GET', '/api/conversations/no-such-conversation');
      assert.equal(response.statusCode, 404);
      const body = json(response);
      assert.equal(body.success, false);
      assert.equal(body.code, 'NOT_FOUND');
      assert.equal(body.message, 'conversation not found');
    });

    it('requires authentication', async () => {
      const response = await harness.app.inject({ method: 'GET', url: '/api/conversations' });
      assert.equal(response.statusCode, 401);
      assert.equal(json(response).code, 'UNAUTHORIZED');
    });

    it('refuses malformed bodies and queries with 400', async () => {
      const created = json(await request('POST', '/api/conversations', { title: 'Target' })).data;
      const cases: Array<{ method: 'POST' | 'PUT'; url: string; payload: unknown; field: RegExp }> = [
        { method: 'POST', url: '/api/conversations', payload: { temperature: 2.5 }, field: /temperature/ },
        { method: 'POST', url: '/api/conversations', payload: { temperature: -0.1 }, field: /temperature/ },
        { method: 'POST', url: '/api/conversations', payload: { temperature: '0.7' }, field: /temperature/ },
        { method: 'POST', url: '/api/conversations', payload: { title: 42 }, field: /title/ },
        { method: 'POST', url: '/api/conversations', payload: { max_tokens: 1.5 }, field: /max_tokens/ },
        { method: 'POST', url: '/api/conversations', payload: { thinking_enabled: 'yes' }, field: /thinking_enabled/ },
        { method: 'POST', url: '/api/conversations', payload: [1, 2], field: /body/ },
        { method: 'PUT', url: `/api/conversations/${created.id}`, payload: { temperature: 3 }, field: /temperature/ },
        { method: 'PUT', url: `/api/conversations/${created.id}`, payload: { title: '' }, field: /title/ },
        { method: 'PUT', url: `/api/conversations/${created.id}`, payload: { is_active: 'false' }, field: /is_active/ },
      ];
      for (const { method, url, payload, field } of cases) {
        const response = await request(method, url, payload);
        assert.equal(response.statusCode, 400, `${method} ${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(json(response).code, 'VALIDATION_ERROR');
        assert.match(json(response).message, field);
      }
      for (const url of ['/api/conversations', `/api/conversations/${created.id}`]) {
        const response = await harness.app.inject({
          method: url === '/api/conversations' ? 'POST' : 'PUT',
          url,
          headers: { ...bearer(token), 'content-type': 'application/json' },
          payload: '{"title": "unterminated',
        });
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(json(response).code, 'VALIDATION_ERROR');
      }
      for (const query of ['page=0', 'page_size=500', 'limit=abc']) {
        const response = await request('GET', `/api/conversations?${query}`);
        assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
      }
      assert.equal(json(await request('GET', `/api/conversations/${created.id}`)).data.title, 'Target', 'nothing was changed');
    });
  });
}
