import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { hashSecret } from '../../auth/secrets.ts';
import { createAdmin } from '../../cli/ensure-admin.ts';

async function adminLogin(harness: TestApp, username: string): Promise<{ id: string; token: string }> {
  const password = 'admin passphrase';
  const admin = await createAdmin(harness.dependencies, { username, password });
  const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  assert.equal(login.statusCode, 200, login.body);
  return { id: admin.id, token: json(login).data.token };
}

for (const database of testDatabases()) {
  describe(`admin user management (${database.name})`, () => {
    let harness: TestApp;
    let admin: { id: string; token: string };
    before(async () => {
      harness = await createTestApp(await database.open());
      admin = await adminLogin(harness, 'chief');
    });
    after(() => harness.close());

    const put = (id: string, payload: unknown, token = admin.token) =>
      harness.app.inject({ method: 'PUT', url: `/api/auth/users/${id}`, headers: bearer(token), payload: payload as object });

    it('lists users in the envelope with page and limit', async () => {
      await signUp(harness.app);
      await signUp(harness.app);
      const all = await harness.app.inject({ method: 'GET', url: '/api/auth/users', headers: bearer(admin.token) });
      assert.equal(all.statusCode, 200, all.body);
      const body = json(all);
      assert.equal(body.success, true);
      assert.equal(body.code, 'SUCCESS');
      assert.ok(body.data.total >= 3);
      assert.equal(body.data.users.length, body.data.total);
      assert.deepEqual(body.data.items, body.data.users);
      assert.ok(body.data.users.some((user: { username: string; role: string }) => user.username === 'chief' && user.role === 'admin'));
      assert.equal('password_hash' in body.data.users[0] || 'passwordHash' in body.data.users[0], false);

      const page = json(await harness.app.inject({ method: 'GET', url: '/api/auth/users?page=2&limit=1', headers: bearer(admin.token) })).data;
      assert.equal(page.users.length, 1);
      assert.equal(page.page, 2);
      assert.equal(page.page_size, 1);
      assert.equal(page.pagination.totalPages, body.data.total);
      assert.equal(page.users[0].id, body.data.users[1].id);
    });

    it('refuses non-admins with 403 and anonymous callers with 401', async () => {
      const user = await signUp(harness.app);
      const routes: [string, string, unknown?][] = [
        ['GET', '/api/auth/users'],
        ['GET', `/api/auth/users/${user.id}`],
        ['PUT', `/api/auth/users/${user.id}`, { permission_level: 4 }],
        ['POST', '/api/auth/users', { username: 'sneaky', password: 'long enough pass' }],
      ];
      for (const [method, url, payload] of routes) {
        const request = { method: method as 'GET', url, ...(payload ? { payload: payload as object } : {}) };
        const forbidden = await harness.app.inject({ ...request, headers: bearer(user.token) });
        assert.equal(forbidden.statusCode, 403, `${method} ${url}`);
        assert.equal(json(forbidden).code, 'FORBIDDEN');
        assert.equal(json(forbidden).success, false);
        const anonymous = await harness.app.inject(request);
        assert.equal(anonymous.statusCode, 401, `${method} ${url}`);
      }
      const me = json(await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.token) })).data;
      assert.equal(me.permission_level, 1, 'the refused update changed nothing');
      assert.equal(await harness.dependencies.repositories.users.isUsernameTaken('sneaky'), false);
    });

    it('updates permission level and role in both spellings, and audits the changed field names', async () => {
      const user = await signUp(harness.app);
      const snake = await put(user.id, { permission_level: 3 });
      assert.equal(snake.statusCode, 200, snake.body);
      assert.equal(json(snake).data.permission_level, 3);
      const camel = await put(user.id, { permissionLevel: 2, role: 'admin' });
      assert.equal(json(camel).data.permission_level, 2);
      assert.equal(json(camel).data.role, 'admin');
      const me = json(await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.token) })).data;
      assert.deepEqual({ level: me.permission_level, role: me.role }, { level: 2, role: 'admin' });
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/users', headers: bearer(user.token) })).statusCode, 200, 'the new admin can manage users');

      const rows = await harness.dependencies.repositories.audit.listRecent(200, { action: 'admin.user.update', actorUserId: admin.id });
      const mine = rows.filter((row) => row.targetId === user.id);
      assert.equal(mine.length, 2);
      assert.equal(mine[0]!.result, 'success');
      assert.equal(mine[0]!.targetType, 'user');
      assert.deepEqual(JSON.parse(mine[0]!.details!).fields, ['permission_level', 'role']);
      assert.deepEqual(JSON.parse(mine[1]!.details!).fields, ['permission_level']);
    });

    it('deactivates a user, revoking their sessions, and audits the deactivation', async () => {
      const user = await signUp(harness.app);
      const response = await put(user.id, { is_active: false });
      assert.equal(response.statusCode, 200, response.body);
      const session = await harness.dependencies.repositories.sessions.findRefreshToken(hashSecret(user.refreshToken));
      const revoked = await harness.dependencies.repositories.sessions.findSession(session!.sessionId);
      assert.notEqual(revoked!.revokedAt, null);
      assert.equal(revoked!.revokedReason, 'deactivated');
      const rows = await harness.dependencies.repositories.audit.listRecent(50, { action: 'admin.user.deactivate' });
      const row = rows.find((entry) => entry.targetId === user.id);
      assert.ok(row, 'a deactivation row');
      assert.equal(row.actorUserId, admin.id);
      assert.equal(JSON.parse(row.details!).revokedSessions, 1);
    });

    it('resets a password, ending every session of that user, without recording the password', async () => {
      const user = await signUp(harness.app);
      const newPassword = 'reset by the admin 42';
      const response = await put(user.id, { password: newPassword });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.token) })).statusCode, 401);
      assert.equal((await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: user.refreshToken } })).statusCode, 401);
      const oldLogin = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: user.password } });
      assert.equal(oldLogin.statusCode, 401);
      const newLogin = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: newPassword } });
      assert.equal(newLogin.statusCode, 200);
      const rows = await harness.dependencies.repositories.audit.listRecent(500);
      const update = rows.find((row) => row.action === 'admin.user.update' && row.targetId === user.id);
      assert.deepEqual(JSON.parse(update!.details!), { fields: ['password'], revokedSessions: 1 });
      assert.ok(!JSON.stringify(rows).includes(newPassword), 'no audit row holds the password');
      assert.ok(!harness.logs.join('').includes(newPassword), 'no log line holds the password');
    });

    it('refuses admin actions through an admin API key limited below its owner', async () => {
      const create = (permission_level?: number) =>
        harness.app.inject({ method: 'POST', url: '/api/api-keys', headers: bearer(admin.token), payload: { name: 'script', permission_level } });
      const limited = json(await create(1)).key;
      const full = json(await create()).key;
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/users', headers: bearer(limited) })).statusCode, 403);
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/users', headers: bearer(full) })).statusCode, 200);
    });

    it('answers 404 for an unknown user and 400 for malformed bodies', async () => {
      const user = await signUp(harness.app);
      const missing = await put('0190a5c4-0000-7000-8000-000000000000', { permission_level: 2 });
      assert.equal(missing.statusCode, 404);
      assert.equal(json(missing).code, 'NOT_FOUND');
      for (const payload of [{}, { permission_level: 5 }, { permission_level: 0 }, { permission_level: 2.5 }, { role: 'root' }, { is_active: 'no' }, { password: 'short' }, [1, 2]]) {
        const response = await put(user.id, payload);
        assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(json(response).code, 'VALIDATION_ERROR');
        assert.equal(json(response).success, false);
      }
      for (const payload of [{ username: 'nopass' }, { password: 'long enough pass' }, { username: 'x', password: 'long enough pass' }, { username: 'okname', password: 'long enough pass', role: 'owner' }]) {
        const response = await harness.app.inject({ method: 'POST', url: '/api/auth/users', headers: bearer(admin.token), payload });
        assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
      }
      const me = json(await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.token) })).data;
      assert.deepEqual({ level: me.permission_level, role: me.role, active: me.is_active }, { level: 1, role: 'user', active: true });
    });
  });
}
