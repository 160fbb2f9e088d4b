import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp, steppingClock } from '../../../test/support/test-app.ts';

const sessionKeys = ['created_at', 'id', 'is_active', 'title', 'updated_at'];
const messageKeys = ['content', 'created_at', 'id', 'metadata_info', 'role', 'session_id', 'tokens'];

for (const database of testDatabases()) {
  describe(`StellarByte session routes (${database.name})`, () => {
    let harness: TestApp;
    let token: string;
    before(async () => {
      harness = await createTestApp(await database.open(), { dependencies: { clock: steppingClock() } });
      token = (await signUp(harness.app)).token;
    });
    after(() => harness.close());

    const request = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, as = token) =>
      harness.app.inject({ method, url, headers: bearer(as), ...(payload === undefined ? {} : { payload: payload as object }) });

    it('creates, reads, renames and deactivates a session as bare JSON', async () => {
      const created = await request('POST', '/api/sessions', { title: '新会话' });
      assert.equal(created.statusCode, 200, created.body);
      const session = json(created);
      assert.deepEqual(Object.keys(session).sort(), sessionKeys, 'no envelope and no extra fields');
      assert.equal(session.title, '新会话');
      assert.equal(session.is_active, true);
      assert.equal(session.created_at, session.updated_at);

      const fetched = await request('GET', `/api/sessions/${session.id}`);
      assert.equal(fetched.statusCode, 200);
      assert.deepEqual(json(fetched), session);

      const renamed = await request('PUT', `/api/sessions/${session.id}`, { title: '更新后的会话' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.deepEqual(Object.keys(json(renamed)).sort(), sessionKeys);
      assert.equal(json(renamed).title, '更新后的会话');
      assert.equal(json(renamed).is_active, true);
      assert.equal(json(renamed).created_at, session.created_at);

      const deactivated = await request('PUT', `/api/sessions/${session.id}`, { is_active: false });
      assert.equal(json(deactivated).is_active, false);
      assert.equal(json(deactivated).title, '更新后的会话');
    });

    it('creates an untitled session from an empty body', async () => {
      const response = await request('POST', '/api/sessions', {});
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(json(response).title, 'New conversation');
    });

    it('lists active sessions by default, all with active_only=false, with skip and limit', async () => {
      const lister = await signUp(harness.app);
      const ids: string[] = [];
      for (const title of ['a', 'b', 'c']) ids.push(json(await request('POST', '/api/sessions', { title }, lister.token)).id);
      await request('PUT', `/api/sessions/${ids[1]}`, { is_active: false }, lister.token);

      const active = await request('GET', '/api/sessions', undefined, lister.token);
      assert.equal(active.statusCode, 200, active.body);
      assert.ok(Array.isArray(json(active)), 'a bare array');
      assert.deepEqual(json(active).map((session: { title: string }) => session.title), ['c', 'a']);
      assert.deepEqual(Object.keys(json(active)[0]).sort(), sessionKeys);

      for (const value of ['false', '0', 'False']) {
        const all = json(await request('GET', `/api/sessions?active_only=${value}`, undefined, lister.token));
        assert.deepEqual(all.map((session: { title: string }) => session.title), ['b', 'c', 'a'], `active_only=${value}`);
      }
      const window = json(await request('GET', '/api/sessions?active_only=false&skip=1&limit=1', undefined, lister.token));
      assert.deepEqual(window.map((session: { title: string }) => session.title), ['c']);
      assert.deepEqual(json(await request('GET', '/api/sessions?skip=10', undefined, lister.token)), []);

      await request('POST', `/api/sessions/${ids[0]}/messages`, { role: 'user', content: 'bump' }, lister.token);
      const reordered = json(await request('GET', '/api/sessions', undefined, lister.token));
      assert.deepEqual(reordered.map((session: { title: string }) => session.title), ['a', 'c'], 'a new message moves a session up');
    });

    it('stores messages and lists them and the history oldest first', async () => {
      const session = json(await request('POST', '/api/sessions', { title: 'Chat' }));
      const added = await request('POST', `/api/sessions/${session.id}/messages`, {
        role: 'user',
        content: '你好',
        tokens: 2,
        metadata_info: {},
      });
      assert.equal(added.statusCode, 200, added.body);
      const message = json(added);
      assert.deepEqual(Object.keys(message).sort(), messageKeys);
      assert.equal(message.session_id, session.id);
      assert.equal(message.role, 'user');
      assert.equal(message.content, '你好');
      assert.equal(message.tokens, 2);
      assert.deepEqual(message.metadata_info, {});

      const reply = json(
        await request('POST', `/api/sessions/${session.id}/messages`, {
          role: 'assistant',
          content: '你好！',
          metadata_info: { model: 'stellar-byte-llm', finish_reason: 'stop' },
        }),
      );
      assert.equal(reply.tokens, 0, 'tokens default to 0');
      assert.deepEqual(reply.metadata_info, { model: 'stellar-byte-llm', finish_reason: 'stop' });

      const listed = await request('GET', `/api/sessions/${session.id}/messages`);
      assert.equal(listed.statusCode, 200, listed.body);
      assert.deepEqual(json(listed), [message, reply]);
      assert.deepEqual(json(await request('GET', `/api/sessions/${session.id}/messages?skip=1&limit=5`)), [reply]);
      assert.deepEqual(json(await request('GET', `/api/sessions/${session.id}/messages?limit=1`)), [message]);

      const history = await request('GET', `/api/sessions/${session.id}/history`);
      assert.equal(history.statusCode, 200);
      assert.deepEqual(json(history), [
        { role: 'user', content: '你好' },
        { role: 'assistant', content: '你好！' },
      ]);

      const after = json(await request('GET', `/api/sessions/${session.id}`));
      assert.equal(after.updated_at, reply.created_at, 'adding a message marks the session updated');
      assert.ok(after.updated_at > session.updated_at);
    });

    it('deletes a session with its messages', async () => {
      const session = json(await request('POST', '/api/sessions', { title: 'Doomed' }));
      await request('POST', `/api/sessions/${session.id}/messages`, { role: 'user', content: 'bye' });
      const deleted = await request('DELETE', `/api/sessions/${session.id}`);
      assert.equal(deleted.statusCode, 200, deleted.body);
      assert.deepEqual(Object.keys(json(deleted)), ['message']);
      assert.equal((await request('GET', `/api/sessions/${session.id}/messages`)).statusCode, 404);
      assert.equal((await request('DELETE', `/api/sessions/${session.id}`)).statusCode, 404);
    });

    it('renders errors bare, as FastAPI does', async () => {
      const missing = await request('GET', '/api/sessions/no-such-session');
      assert.equal(missing.statusCode, 404);
      assert.deepEqual(json(missing), { detail: 'conversation not found', code: 'NOT_FOUND' });
      const unauthenticated = await harness.app.inject({ method: 'GET', url: '/api/sessions' });
      assert.equal(unauthenticated.statusCode, 401);
      assert.equal(json(unauthenticated).code, 'UNAUTHORIZED');
      assert.equal(json(unauthenticated).success, undefined);
    });

    it('refuses malformed bodies and queries with a bare 400', async () => {
      const session = json(await request('POST', '/api/sessions', { title: 'Target' }));
      const cases: Array<[method: 'POST' | 'PUT', url: string, payload: unknown]> = [
        ['POST', '/api/sessions', { title: 7 }],
        ['PUT', `/api/sessions/${session.id}`, { is_active: 'no' }],
        ['PUT', `/api/sessions/${session.id}`, { title: '' }],
        ['POST', `/api/sessions/${session.id}/messages`, { role: 'user' }],
        ['POST', `/api/sessions/${session.id}/messages`, { role: 'robot', content: 'beep' }],
        ['POST', `/api/sessions/${session.id}/messages`, { role: 'user', content: 'x', tokens: -1 }],
        ['POST', `/api/sessions/${session.id}/messages`, { role: 'user', content: 'x', tokens: '2' }],
        ['POST', `/api/sessions/${session.id}/messages`, { role: 'user', content: 'x', metadata_info: [] }],
        ['POST', `/api/sessions/${session.id}/messages`, 'just a string'],
      ];
      for (const [method, url, payload] of cases) {
        // Sent as JSON text, so a JSON string body reaches validation rather than the 415 check.
        const response = await harness.app.inject({
          method,
          url,
          headers: { ...bearer(token), 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
        assert.equal(response.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(json(response).code, 'VALIDATION_ERROR');
        assert.equal(typeof json(response).detail, 'string');
      }
      const notJson = await harness.app.inject({
        method: 'POST',
        url: `/api/sessions/${session.id}/messages`,
        headers: { ...bearer(token), 'content-type': 'application/json' },
        payload: 'role=user&content=hi',
      });
      assert.equal(notJson.statusCode, 400, notJson.body);
      assert.equal(json(notJson).code, 'VALIDATION_ERROR');
      for (const query of ['active_only=maybe', 'limit=0', 'skip=-1', 'limit=ten']) {
        assert.equal((await request('GET', `/api/sessions?${query}`)).statusCode, 400, query);
      }
      assert.deepEqual(json(await request('GET', `/api/sessions/${session.id}/messages`)), [], 'nothing was stored');
    });
  });
}
