import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';

for (const database of testDatabases()) {
  describe(`API key routes (${database.name})`, () => {
    let harness: TestApp;
    before(async () => {
      harness = await createTestApp(await database.open());
    });
    after(() => harness.close());

    const call = (method: string, url: string, token?: string, payload?: unknown) =>
      harness.app.inject({ method: method as 'GET', url, headers: token ? bearer(token) : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

    it('runs the full lifecycle with bare JSON bodies and never shows the secret again', async () => {
      const user = await signUp(harness.app);
      const created = await call('POST', '/api/api-keys', user.token, { name: 'laptop' });
      assert.equal(created.statusCode, 200, created.body);
      const key = json(created);
      assert.equal(key.success, undefined, 'no envelope');
      assert.match(key.key, /^sk-[A-Za-z0-9_-]{40}$/);
      assert.equal(key.name, 'laptop');
      assert.equal(key.key_prefix, key.key.slice(0, 7));
      assert.equal(key.masked_key, `${key.key.slice(0, 7)}…${key.key.slice(-4)}`);
      assert.equal(key.is_active, true);
      assert.equal(key.last_used_at, null);
      assert.equal(key.permission_level, 1);
      assert.ok(Date.parse(key.created_at) > 0);

      const listed = await call('GET', '/api/api-keys', user.token);
      assert.equal(listed.statusCode, 200);
      assert.ok(!listed.body.includes(key.key), 'the listing must not contain the secret');
      const list = json(listed).data;
      assert.ok(Array.isArray(list), 'StellarByte list shape: the keys are in `data`');
      assert.equal(list.length, 1);
      assert.equal(list[0].id, key.id);
      assert.equal(list[0].masked_key, key.masked_key);
      assert.equal('key' in list[0], false);

      const fetched = await call('GET', `/api/api-keys/${key.id}`, user.token);
      assert.equal(fetched.statusCode, 200);
      assert.ok(!fetched.body.includes(key.key), 'GET must not contain the secret');
      assert.equal(json(fetched).name, 'laptop');
      assert.equal('key' in json(fetched), false);

      const renamed = await call('PUT', `/api/api-keys/${key.id}`, user.token, { name: 'desktop' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.equal(json(renamed).name, 'desktop');
      assert.equal(json(await call('GET', `/api/api-keys/${key.id}`, user.token)).name, 'desktop');

      for (const method of ['POST', 'PUT', 'PATCH']) {
        const deactivated = await call(method, `/api/api-keys/${key.id}/deactivate`, user.token);
        assert.equal(deactivated.statusCode, 200, `${method} deactivate: ${deactivated.body}`);
        assert.equal(json(deactivated).is_active, false);
        assert.equal(json(deactivated).id, key.id);
        assert.equal(json(await call('GET', `/api/api-keys/${key.id}`, user.token)).is_active, false);
        const activated = await call(method, `/api/api-keys/${key.id}/activate`, user.token);
        assert.equal(activated.statusCode, 200, `${method} activate: ${activated.body}`);
        assert.equal(json(activated).is_active, true);
      }

      const patched = await call('PATCH', `/api/api-keys/${key.id}`, user.token, { is_active: false });
      assert.equal(patched.statusCode, 200);
      assert.equal(json(patched).is_active, false);

      const deleted = await call('DELETE', `/api/api-keys/${key.id}`, user.token);
      assert.equal(deleted.statusCode, 200);
      assert.deepEqual(json(deleted), { message: 'API key deleted', id: key.id });
      const gone = await call('GET', `/api/api-keys/${key.id}`, user.token);
      assert.equal(gone.statusCode, 404);
      assert.deepEqual(json(gone), { detail: 'API key not found', code: 'NOT_FOUND' });
      assert.deepEqual(json(await call('GET', '/api/api-keys', user.token)), { data: [] });
      assert.equal((await call('DELETE', `/api/api-keys/${key.id}`, user.token)).statusCode, 404);
    });

    it('accepts activate and deactivate with a JSON content type but no body', async () => {
      const user = await signUp(harness.app);
      const key = json(await call('POST', '/api/api-keys', user.token, { name: 'empty-body' }));
      const response = await harness.app.inject({
        method: 'POST',
        url: `/api/api-keys/${key.id}/deactivate`,
        headers: { ...bearer(user.token), 'content-type': 'application/json' },
        payload: '',
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(json(response).is_active, false);
    });

    it('keeps the secret out of audit rows and logs, and audits creation and deactivation', async () => {
      const user = await signUp(harness.app);
      const key = json(await call('POST', '/api/api-keys', user.token, { name: 'audited' }));
      await call('POST', `/api/api-keys/${key.id}/deactivate`, user.token);
      const rows = await harness.dependencies.repositories.audit.listRecent(500);
      const creation = rows.find((row) => row.action === 'api_key.create' && row.targetId === key.id);
      assert.ok(creation, 'a row for the creation');
      assert.equal(creation.result, 'success');
      assert.equal(creation.actorUserId, user.id);
      assert.equal(creation.targetType, 'api_key');
      const deactivation = rows.find((row) => row.action === 'api_key.deactivate' && row.targetId === key.id);
      assert.ok(deactivation, 'a row for the deactivation');
      assert.equal(deactivation.actorUserId, user.id);
      assert.ok(!JSON.stringify(rows).includes(key.key), 'no audit row holds the secret');
      assert.ok(!harness.logs.join('').includes(key.key), 'no log line holds the secret');
    });

    it("answers 404 for another user's key on every route that takes an id, and leaves it alone", async () => {
      const owner = await signUp(harness.app);
      const stranger = await signUp(harness.app);
      const key = json(await call('POST', '/api/api-keys', owner.token, { name: 'mine' }));
      const attempts: [string, string, unknown?][] = [
        ['GET', `/api/api-keys/${key.id}`],
        ['PUT', `/api/api-keys/${key.id}`, { name: 'stolen' }],
        ['PATCH', `/api/api-keys/${key.id}`, { name: 'stolen' }],
        ['DELETE', `/api/api-keys/${key.id}`],
      ];
      for (const action of ['deactivate', 'activate']) {
        for (const method of ['POST', 'PUT', 'PATCH']) attempts.push([method, `/api/api-keys/${key.id}/${action}`]);
      }
      for (const [method, url, payload] of attempts) {
        const response = await call(method, url, stranger.token, payload);
        assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
        assert.equal(json(response).code, 'NOT_FOUND');
      }
      assert.deepEqual(json(await call('GET', '/api/api-keys', stranger.token)), { data: [] });
      const intact = json(await call('GET', `/api/api-keys/${key.id}`, owner.token));
      assert.equal(intact.name, 'mine');
      assert.equal(intact.is_active, true);
      const me = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key.key } });
      assert.equal(me.statusCode, 200, "the owner's key still works");
    });

    it('answers 401 with a JSON body to anonymous lookups and changes, sent as StellarChat sends them', async () => {
      const owner = await signUp(harness.app);
      const key = json(await call('POST', '/api/api-keys', owner.token, { name: 'kept' }));
      const routes: [string, string][] = [
        ['GET', `/api/api-keys/${key.id}`],
        ['PUT', `/api/api-keys/${key.id}`],
        ['POST', `/api/api-keys/${key.id}/deactivate`],
        ['POST', `/api/api-keys/${key.id}/activate`],
        ['DELETE', `/api/api-keys/${key.id}`],
      ];
      for (const [method, url] of routes) {
        // StellarChat's web app: `Content-Type: application/json`, no credentials, no body.
        const response = await harness.app.inject({ method: method as 'GET', url, headers: { 'content-type': 'application/json' } });
        assert.equal(response.statusCode, 401, `${method} ${url}`);
        assert.match(String(response.headers['content-type']), /^application\/json/);
        assert.equal(json(response).code, 'UNAUTHORIZED');
        assert.equal(typeof json(response).detail, 'string');
      }
      const intact = json(await call('GET', `/api/api-keys/${key.id}`, owner.token));
      assert.equal(intact.is_active, true, 'an anonymous change changed nothing');
    });

    it('answers 400 in the bare error shape for malformed bodies', async () => {
      const user = await signUp(harness.app);
      const key = json(await call('POST', '/api/api-keys', user.token, { name: 'valid' }));
      const cases: [string, string, unknown][] = [
        ['POST', '/api/api-keys', {}],
        ['POST', '/api/api-keys', { name: '' }],
        ['POST', '/api/api-keys', { name: 'x'.repeat(101) }],
        ['POST', '/api/api-keys', { name: 42 }],
        ['POST', '/api/api-keys', { name: 'ok', permission_level: 0 }],
        ['POST', '/api/api-keys', { name: 'ok', permission_level: 'high' }],
        ['POST', '/api/api-keys', ['name']],
        ['PUT', `/api/api-keys/${key.id}`, {}],
        ['PUT', `/api/api-keys/${key.id}`, { name: '   ' }],
        ['PUT', `/api/api-keys/${key.id}`, { is_active: 'yes' }],
      ];
      for (const [method, url, payload] of cases) {
        const response = await call(method, url, user.token, payload);
        assert.equal(response.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`);
        const body = json(response);
        assert.equal(body.code, 'VALIDATION_ERROR');
        assert.equal(typeof body.detail, 'string');
        assert.equal(body.success, undefined, 'bare, not the envelope');
      }
      const notJson = await harness.app.inject({
        method: 'POST',
        url: '/api/api-keys',
        headers: { ...bearer(user.token), 'content-type': 'application/json' },
        payload: '{"name": ',
      });
      assert.equal(notJson.statusCode, 400);
      assert.equal(json(notJson).detail, 'request body is not valid JSON');
      assert.equal(json(await call('GET', `/api/api-keys/${key.id}`, user.token)).name, 'valid', 'a refused rename changes nothing');
      assert.equal(json(await call('GET', '/api/api-keys', user.token)).data.length, 1, 'no key was created by a refused body');
    });
  });
}
