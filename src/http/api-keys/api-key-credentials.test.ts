import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { createAdmin } from '../../cli/ensure-admin.ts';
import { AppError } from '../../errors/app-error.ts';

for (const database of testDatabases()) {
  describe(`API keys as credentials (${database.name})`, () => {
    let harness: TestApp;
    let adminToken: string;
    before(async () => {
      harness = await createTestApp(await database.open());
      await createAdmin(harness.dependencies, { username: 'key-admin', password: 'admin passphrase' });
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'key-admin', password: 'admin passphrase' } });
      adminToken = json(login).data.token;
    });
    after(() => harness.close());

    const createKey = async (token: string, body: Record<string, unknown>) => {
      const response = await harness.app.inject({ method: 'POST', url: '/api/api-keys', headers: bearer(token), payload: body });
      assert.equal(response.statusCode, 200, response.body);
      return json(response) as { id: string; key: string; permission_level: number };
    };
    const setLevel = async (userId: string, level: number) => {
      const response = await harness.app.inject({
        method: 'PUT',
        url: `/api/auth/users/${userId}`,
        headers: bearer(adminToken),
        payload: { permission_level: level },
      });
      assert.equal(response.statusCode, 200, response.body);
    };
    const effectiveLevel = async (secret: string) =>
      (await harness.dependencies.services.authenticator.authenticate(secret)).permissionLevel;

    it('authenticates as Authorization: Bearer and as x-api-key, and records its use', async () => {
      const user = await signUp(harness.app);
      const key = await createKey(user.token, { name: 'cli' });
      const viaBearer = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(key.key) });
      assert.equal(viaBearer.statusCode, 200, viaBearer.body);
      assert.equal(json(viaBearer).data.id, user.id);
      const viaHeader = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key.key } });
      assert.equal(viaHeader.statusCode, 200);
      assert.equal(json(viaHeader).data.id, user.id);
      const listed = json(await harness.app.inject({ method: 'GET', url: `/api/api-keys/${key.id}`, headers: bearer(user.token) }));
      assert.notEqual(listed.last_used_at, null);
    });

    it('refuses a deactivated or deleted key with 401 and accepts it again once activated', async () => {
      const user = await signUp(harness.app);
      const key = await createKey(user.token, { name: 'toggle' });
      await harness.app.inject({ method: 'POST', url: `/api/api-keys/${key.id}/deactivate`, headers: bearer(user.token) });
      for (const headers of [bearer(key.key), { 'x-api-key': key.key }]) {
        const refused = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers });
        assert.equal(refused.statusCode, 401);
        assert.equal(json(refused).code, 'UNAUTHORIZED');
      }
      await harness.app.inject({ method: 'POST', url: `/api/api-keys/${key.id}/activate`, headers: bearer(user.token) });
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(key.key) })).statusCode, 200);
      await harness.app.inject({ method: 'DELETE', url: `/api/api-keys/${key.id}`, headers: bearer(user.token) });
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(key.key) })).statusCode, 401);
    });

    it('refuses a permission_level above the owner with 400 and a clear message', async () => {
      const user = await signUp(harness.app);
      const response = await harness.app.inject({ method: 'POST', url: '/api/api-keys', headers: bearer(user.token), payload: { name: 'greedy', permission_level: 3 } });
      assert.equal(response.statusCode, 400);
      assert.equal(json(response).code, 'VALIDATION_ERROR');
      assert.match(json(response).detail, /above your own level \(1\)/);
      assert.deepEqual(json(await harness.app.inject({ method: 'GET', url: '/api/api-keys', headers: bearer(user.token) })).data, []);
      const denied = await harness.dependencies.repositories.audit.listRecent(20, { action: 'api_key.create', actorUserId: user.id });
      assert.equal(denied[0]?.result, 'denied');
    });

    it("never grants more than its owner has now, whatever level it was made with", async () => {
      const user = await signUp(harness.app);
      await setLevel(user.id, 3);
      const capped = await createKey(user.token, { name: 'level-2', permission_level: 2 });
      const matching = await createKey(user.token, { name: 'level-3', permissionLevel: 3 });
      const following = await createKey(user.token, { name: 'follows-owner' });
      assert.deepEqual([capped.permission_level, matching.permission_level, following.permission_level], [2, 3, 3]);
      assert.deepEqual([await effectiveLevel(capped.key), await effectiveLevel(matching.key), await effectiveLevel(following.key)], [2, 3, 3]);

      await setLevel(user.id, 1);
      assert.deepEqual([await effectiveLevel(capped.key), await effectiveLevel(matching.key), await effectiveLevel(following.key)], [1, 1, 1]);
      const shown = json(await harness.app.inject({ method: 'GET', url: '/api/api-keys', headers: bearer(user.token) })).data;
      assert.deepEqual(shown.map((key: { permission_level: number }) => key.permission_level), [1, 1, 1]);

      await setLevel(user.id, 4);
      assert.deepEqual([await effectiveLevel(capped.key), await effectiveLevel(matching.key), await effectiveLevel(following.key)], [2, 3, 4]);
    });

    it('does not let a restricted key mint a stronger one', async () => {
      const user = await signUp(harness.app);
      await setLevel(user.id, 3);
      const restricted = await createKey(user.token, { name: 'read-only', permission_level: 1 });
      const stronger = await harness.app.inject({ method: 'POST', url: '/api/api-keys', headers: bearer(restricted.key), payload: { name: 'escalate', permission_level: 3 } });
      assert.equal(stronger.statusCode, 400);
      const minted = await createKey(restricted.key, { name: 'child' });
      assert.equal(minted.permission_level, 1);
      assert.equal(await effectiveLevel(minted.key), 1);
    });

    it('cuts off every credential of a deactivated user at once', async () => {
      const user = await signUp(harness.app);
      const key = await createKey(user.token, { name: 'before-deactivation' });
      const deactivate = await harness.app.inject({ method: 'PUT', url: `/api/auth/users/${user.id}`, headers: bearer(adminToken), payload: { is_active: false } });
      assert.equal(deactivate.statusCode, 200, deactivate.body);
      assert.equal(json(deactivate).data.is_active, false);

      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.token) })).statusCode, 401, 'access token');
      const refresh = await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: user.refreshToken } });
      assert.equal(refresh.statusCode, 401, 'refresh token');
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key.key } })).statusCode, 401, 'API key');
      await assert.rejects(harness.dependencies.services.authenticator.authenticate(key.key), (error: unknown) => error instanceof AppError && error.code === 'UNAUTHORIZED');
      const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: user.password } });
      assert.equal(login.statusCode, 403, 'login');
      assert.equal(json(login).code, 'FORBIDDEN');

      // Reactivation restores the password and the keys, but not the ended sessions.
      await harness.app.inject({ method: 'PUT', url: `/api/auth/users/${user.id}`, headers: bearer(adminToken), payload: { isActive: true } });
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.token) })).statusCode, 401);
      assert.equal((await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: user.refreshToken } })).statusCode, 401);
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key.key } })).statusCode, 200);
      assert.equal((await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: user.password } })).statusCode, 200);
    });
  });
}
