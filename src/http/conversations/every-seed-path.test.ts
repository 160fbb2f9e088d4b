import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

for (const database of testDatabases()) {
  describe(`one conversation through every seed's paths (${database.name})`, () => {
    let harness: TestApp;
    let alice: string;
    let bob: string;
    before(async () => {
      harness = await createTestApp(await database.open());
      alice = (await signUp(harness.app)).token;
      bob = (await signUp(harness.app)).token;
    });
    after(() => harness.close());

    const call = (token: string, method: Method, url: string, payload?: unknown) =>
      harness.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });

    it('shows a Luxx conversation to StellarByte and LLMChat clients, and their writes to Luxx', async () => {
      const created = json(await call(alice, 'POST', '/api/conversations', { title: 'Shared', model: 'glm-5' })).data;

      const sessions = json(await call(alice, 'GET', '/api/sessions'));
      const listed = sessions.find((session: { id: string }) => session.id === created.id);
      assert.deepEqual(listed, {
        id: created.id,
        title: 'Shared',
        created_at: created.created_at,
        updated_at: created.updated_at,
        is_active: true,
      });

      const first = json(await call(alice, 'POST', `/api/sessions/${created.id}/messages`, { role: 'user', content: 'hello' }));
      const second = json(await call(alice, 'POST', `/api/sessions/${created.id}/messages`, { role: 'assistant', content: 'hi there' }));

      const luxx = json(await call(alice, 'GET', `/api/messages/${created.id}`)).data;
      assert.deepEqual(
        luxx.messages.map((message: { id: string; role: string; text: string }) => [message.id, message.role, message.text]),
        [
          [first.id, 'user', 'hello'],
          [second.id, 'assistant', 'hi there'],
        ],
      );
      assert.equal(luxx.title, 'Shared');
      assert.equal(luxx.first_message, 'hello');
      assert.equal(json(await call(alice, 'GET', `/api/conversations/${created.id}`)).data.message_count, 2);

      const history = json(await call(alice, 'GET', `/api/chat/sessions/${created.id}/history`)).data;
      assert.equal(history.sessionId, created.id);
      assert.deepEqual(
        history.items.map((item: { id: string; content: string }) => [item.id, item.content]),
        [
          [first.id, 'hello'],
          [second.id, 'hi there'],
        ],
      );

      await call(alice, 'PUT', `/api/sessions/${created.id}`, { title: 'Renamed by StellarByte' });
      const renamed = json(await call(alice, 'GET', `/api/conversations/${created.id}`)).data;
      assert.equal(renamed.title, 'Renamed by StellarByte');
      assert.equal(renamed.model, 'glm-5', 'a StellarByte rename keeps the Luxx settings');

      await call(alice, 'POST', '/api/chat/sessions/save', {
        sessionId: created.id,
        messages: [
          { role: 'user', content: 'hello' },
          { role: 'assistant', content: 'hi there' },
          { role: 'user', content: 'and from LLMChat' },
        ],
      });
      assert.deepEqual(json(await call(alice, 'GET', `/api/sessions/${created.id}/history`)), [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hi there' },
        { role: 'user', content: 'and from LLMChat' },
      ]);

      assert.equal((await call(alice, 'DELETE', `/api/sessions/${created.id}`)).statusCode, 200);
      assert.equal((await call(alice, 'GET', `/api/conversations/${created.id}`)).statusCode, 404);
      assert.equal((await call(alice, 'GET', `/api/messages/${created.id}`)).statusCode, 404);
      assert.equal((await call(alice, 'DELETE', `/api/messages/${first.id}`)).statusCode, 404, 'messages went with it');
    });

    it("answers 404 to another user on every route that takes one of Alice's ids, and changes nothing", async () => {
      const conversation = json(await call(alice, 'POST', '/api/conversations', { title: 'Alice only' })).data;
      const message = json(await call(alice, 'POST', `/api/sessions/${conversation.id}/messages`, { role: 'user', content: 'secret' }));
      const id = conversation.id;
      const routes: Array<[Method, string, unknown?]> = [
        ['GET', `/api/conversations/${id}`],
        ['PUT', `/api/conversations/${id}`, { title: 'Bob was here' }],
        ['DELETE', `/api/conversations/${id}`],
        ['GET', `/api/messages?conversation_id=${id}`],
        ['GET', `/api/messages/${id}`],
        ['DELETE', `/api/messages/${message.id}`],
        ['GET', `/api/sessions/${id}`],
        ['PUT', `/api/sessions/${id}`, { title: 'Bob was here', is_active: false }],
        ['DELETE', `/api/sessions/${id}`],
        ['POST', `/api/sessions/${id}/messages`, { role: 'user', content: 'injected' }],
        ['GET', `/api/sessions/${id}/messages`],
        ['GET', `/api/sessions/${id}/history`],
        ['GET', `/api/chat/sessions/${id}/history`],
        ['POST', '/api/chat/sessions/save', { sessionId: id, title: 'Bob was here', messages: [] }],
      ];
      for (const [method, url, payload] of routes) {
        const response = await call(bob, method, url, payload);
        assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
        const unknown = await call(bob, method, url.replace(id, 'nobody-has-this-id').replace(message.id, 'nobody-has-this-id'), payload);
        assert.equal(unknown.statusCode, 404, `${method} ${url} with an unknown id`);
        assert.equal(json(response).message ?? json(response).detail, json(unknown).message ?? json(unknown).detail, `${method} ${url} leaks nothing`);
      }
      const bobsConversations = json(await call(bob, 'GET', '/api/conversations')).data.items;
      assert.equal(bobsConversations.some((item: { id: string }) => item.id === id), false);
      const bobsSessions = json(await call(bob, 'GET', '/api/sessions?active_only=false'));
      assert.equal(bobsSessions.some((item: { id: string }) => item.id === id), false);

      const untouched = json(await call(alice, 'GET', `/api/conversations/${id}`)).data;
      assert.equal(untouched.title, 'Alice only');
      assert.equal(untouched.is_active, true);
      assert.equal(untouched.message_count, 1);
      const messages = json(await call(alice, 'GET', `/api/messages/${id}`)).data.messages;
      assert.deepEqual(messages.map((item: { content: string }) => item.content), ['secret']);
    });

    it('documents every route in the OpenAPI document', async () => {
      const response = await harness.app.inject({ method: 'GET', url: '/api/openapi.json' });
      assert.equal(response.statusCode, 200);
      const paths = json(response).paths;
      const expected: Record<string, string[]> = {
        '/api/conversations': ['get', 'post'],
        '/api/conversations/{id}': ['get', 'put', 'delete'],
        '/api/messages': ['get'],
        '/api/messages/{conversationId}': ['get'],
        '/api/messages/{id}': ['delete'],
        '/api/sessions': ['get', 'post'],
        '/api/sessions/{id}': ['get', 'put', 'delete'],
        '/api/sessions/{id}/messages': ['get', 'post'],
        '/api/sessions/{id}/history': ['get'],
        '/api/chat/sessions/{id}/history': ['get'],
        '/api/chat/sessions/save': ['post'],
      };
      for (const [path, methods] of Object.entries(expected)) {
        for (const method of methods) {
          const operation = paths[path]?.[method];
          assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
          assert.ok(operation.responses?.['200']?.content, `${method.toUpperCase()} ${path} documents its response`);
        }
      }
    });
  });
}
