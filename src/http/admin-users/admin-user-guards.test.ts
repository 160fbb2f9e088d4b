import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, type TestApp } from '../../../test/support/test-app.ts';
import { createAdmin } from '../../cli/ensure-admin.ts';

const password = 'admin passphrase';

for (const database of testDatabases()) {
  describe(`last-admin guard and admin-created users (${database.name})`, () => {
    let harness: TestApp;
    let first: { id: string; token: string };
    before(async () => {
      // Registration closed: only an admin can make accounts, which is what this suite checks.
      harness = await createTestApp(await database.open(), { env: { COLLOQUY_REGISTRATION: 'closed' } });
      const admin = await createAdmin(harness.dependencies, { username: 'first-admin', password });
      first = { id: admin.id, token: await login('first-admin', password) };
    });
    after(() => harness.close());

    async function login(username: string, secret: string): Promise<string> {
      const response = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: secret } });
      assert.equal(response.statusCode, 200, response.body);
      return json(response).data.token;
    }
    const put = (id: string, payload: object, token: string) =>
      harness.app.inject({ method: 'PUT', url: `/api/auth/users/${id}`, headers: bearer(token), payload });
    const activeAdmins = () => harness.dependencies.repositories.users.countActiveAdmins();

    it('stops the last active admin from demoting or deactivating themselves', async () => {
      assert.equal(await activeAdmins(), 1);
      for (const payload of [{ role: 'user' }, { is_active: false }, { isActive: false }, { role: 'user', is_active: false }]) {
        const response = await put(first.id, payload, first.token);
        assert.equal(response.statusCode, 409, `${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(json(response).code, 'CONFLICT');
        assert.match(json(response).message, /last active admin/);
      }
      assert.equal(await activeAdmins(), 1);
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(first.token) })).statusCode, 200);
      const denied = await harness.dependencies.repositories.audit.listRecent(10, { action: 'admin.user.update' });
      assert.equal(denied[0]!.result, 'denied');
      assert.equal(JSON.parse(denied[0]!.details!).reason, 'last_admin');
      // Other changes to the last admin are fine.
      assert.equal((await put(first.id, { permission_level: 3 }, first.token)).statusCode, 200);
    });

    it('creates users even when registration is closed', async () => {
      const publicRegister = await harness.app.inject({ method: 'POST', url: '/api/auth/register', payload: { username: 'walk-in', password: 'long enough pass' } });
      assert.equal(publicRegister.statusCode, 403);
      const created = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/users',
        headers: bearer(first.token),
        payload: { username: 'second-admin', email: 'second@example.test', password, role: 'admin' },
      });
      assert.equal(created.statusCode, 200, created.body);
      const user = json(created).data;
      assert.deepEqual({ username: user.username, role: user.role, level: user.permission_level }, { username: 'second-admin', role: 'admin', level: 4 });
      const member = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/users',
        headers: bearer(first.token),
        payload: { username: 'member', password: 'member passphrase', permissionLevel: 2 },
      });
      assert.equal(json(member).data.role, 'user');
      assert.equal(json(member).data.permission_level, 2);
      assert.ok(await login('member', 'member passphrase'));
      const rows = await harness.dependencies.repositories.audit.listRecent(20, { action: 'admin.user.create', actorUserId: first.id });
      assert.deepEqual(rows.map((row) => row.targetId).sort(), [user.id, json(member).data.id].sort());
    });

    it('lets an admin step down once another admin exists, and then guards the remaining one', async () => {
      const secondId = json(await harness.app.inject({ method: 'GET', url: '/api/auth/users', headers: bearer(first.token) })).data.users.find(
        (user: { username: string }) => user.username === 'second-admin',
      ).id;
      const second = { id: secondId, token: await login('second-admin', password) };
      assert.equal(await activeAdmins(), 2);
      const stepDown = await put(first.id, { role: 'user' }, first.token);
      assert.equal(stepDown.statusCode, 200, stepDown.body);
      assert.equal(json(stepDown).data.role, 'user');
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/users', headers: bearer(first.token) })).statusCode, 403);
      const lastOne = await put(second.id, { is_active: false }, second.token);
      assert.equal(lastOne.statusCode, 409);
      assert.equal(await activeAdmins(), 1);
    });

    it('keeps at least one active admin when two admins demote each other at once', async () => {
      const third = await createAdmin(harness.dependencies, { username: 'third-admin', password });
      const second = await harness.dependencies.repositories.users.findForLogin('second-admin');
      const thirdToken = await login('third-admin', password);
      const secondToken = await login('second-admin', password);
      const results = await Promise.all([
        put(second!.user.id, { role: 'user' }, thirdToken),
        put(third.id, { role: 'user' }, secondToken),
      ]);
      // Whichever order the two land in (one refused as no longer admin, or caught by the guard), one must fail.
      const statuses = results.map((response) => response.statusCode);
      assert.ok(statuses.filter((status) => status === 200).length <= 1, results.map((response) => response.body).join('\n'));
      assert.ok(statuses.every((status) => [200, 403, 409].includes(status)), statuses.join());
      assert.equal(await activeAdmins(), statuses.includes(200) ? 1 : 2);
    });
  });
}
