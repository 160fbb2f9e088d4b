import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { createAdmin } from '../../cli/ensure-admin.ts';

/** Headers axios sends for LLMChat's web app (`api.post(url, body)` with its JSON default). */
const webAppHeaders = (token?: string) => ({
  accept: 'application/json, text/plain, */*',
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

for (const database of testDatabases()) {
  describe(`auth routes (${database.name})`, () => {
    let harness: TestApp;
    before(async () => {
      harness = await createTestApp(await database.open());
    });
    after(() => harness.close());

    it('registers with the LLMChat body and logs in by email', async () => {
      const register = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        payload: { email: 'ada@example.test', password: 'analytical engine', name: 'Ada' },
      });
      assert.equal(register.statusCode, 200, register.body);
      const registered = json(register);
      assert.equal(registered.success, true);
      assert.equal(registered.code, 'SUCCESS');
      assert.equal(registered.data.user.email, 'ada@example.test');
      assert.equal(registered.data.name, 'Ada');
      assert.equal(registered.data.username, 'ada');
      assert.equal(registered.data.user.role, 'user');

      const login = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'ADA@example.test', password: 'analytical engine' },
      });
      assert.equal(login.statusCode, 200, login.body);
      const data = json(login).data;
      assert.equal(data.token, data.access_token);
      assert.equal(data.refreshToken, data.refresh_token);
      assert.equal(data.expiresIn, 3600);
      assert.equal(data.token_type, 'bearer');

      const me = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(data.token) });
      assert.equal(me.statusCode, 200);
      assert.equal(json(me).data.username, 'ada');
    });

    it('registers with the Luxx body and logs in by username', async () => {
      const register = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        payload: { username: 'grace', email: 'grace@example.test', password: 'compiler first' },
      });
      assert.equal(register.statusCode, 200, register.body);
      assert.equal(json(register).data.username, 'grace');
      const login = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'grace', password: 'compiler first' },
      });
      assert.equal(login.statusCode, 200);
      assert.equal(json(login).data.user.permission_level, 1);
      const byEmailField = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'grace', password: 'compiler first' },
      });
      assert.equal(byEmailField.statusCode, 200, 'a username in the email field still identifies the account');
    });

    it('answers wrong password and unknown account identically', async () => {
      await signUp(harness.app, { username: 'hopper' });
      const wrong = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'hopper', password: 'not the password' } });
      const unknown = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody-here', password: 'not the password' } });
      assert.equal(wrong.statusCode, 401);
      assert.equal(unknown.statusCode, 401);
      assert.equal(json(wrong).message, json(unknown).message);
      assert.equal(json(wrong).code, 'UNAUTHORIZED');
    });

    it('rotates refresh tokens and revokes the family on reuse', async () => {
      const user = await signUp(harness.app);
      const first = await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: user.refreshToken } });
      assert.equal(first.statusCode, 200, first.body);
      const rotated = json(first).data;
      assert.notEqual(rotated.refreshToken, user.refreshToken);

      // LLMChat sends the refresh token as a bearer credential.
      const second = await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: bearer(rotated.refreshToken) });
      assert.equal(second.statusCode, 200, second.body);
      const latest = json(second).data;

      const reuse = await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: user.refreshToken } });
      assert.equal(reuse.statusCode, 401);
      const afterReuse = await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: latest.refreshToken } });
      assert.equal(afterReuse.statusCode, 401, 'the newest token of a reused family is revoked too');
      const me = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(latest.token) });
      assert.equal(me.statusCode, 401, 'access tokens of a revoked family stop working');

      const audit = await harness.dependencies.repositories.audit.listRecent(50, { action: 'auth.refresh' });
      assert.ok(audit.some((entry) => entry.result === 'denied' && entry.details?.includes('reuse_detected')));
    });

    it('logs out and refuses the old access token', async () => {
      const user = await signUp(harness.app);
      const logout = await harness.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(user.token) });
      assert.equal(logout.statusCode, 200);
      const me = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.token) });
      assert.equal(me.statusCode, 401);
    });

    it('refuses tokens signed with another algorithm or key', async () => {
      const user = await signUp(harness.app);
      const [header, payload] = user.token.split('.');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const none = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(unsigned) });
      assert.equal(none.statusCode, 401);
      const tampered = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(`${header}.${payload}.AAAA`) });
      assert.equal(tampered.statusCode, 401);
    });

    it('rate-limits failed logins per account with Retry-After', async () => {
      await signUp(harness.app, { username: 'target' });
      const attempt = () =>
        harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'target', password: 'guess-guess' }, remoteAddress: '10.9.9.9' });
      for (let index = 0; index < 5; index += 1) assert.equal((await attempt()).statusCode, 401);
      const limited = await attempt();
      assert.equal(limited.statusCode, 429);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal(json(limited).code, 'RATE_LIMITED');
      const rightPassword = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'target', password: 'correct horse battery' } });
      assert.equal(rightPassword.statusCode, 429, 'even the right password waits out the window');
    });

    it('changes the password and revokes other sessions', async () => {
      const user = await signUp(harness.app);
      const other = json(
        await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: user.password } }),
      ).data;
      const change = await harness.app.inject({
        method: 'POST',
        url: '/api/auth/change-password',
        headers: bearer(user.token),
        payload: { currentPassword: user.password, newPassword: 'a brand new passphrase' },
      });
      assert.equal(change.statusCode, 200, change.body);
      assert.equal(json(change).data.revokedSessions, 1);
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(user.token) })).statusCode, 200);
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(other.token) })).statusCode, 401);
      const refresh = await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: other.refreshToken } });
      assert.equal(refresh.statusCode, 401);
      const oldLogin = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: user.password } });
      assert.equal(oldLogin.statusCode, 401);
    });

    it("answers LLMChat's web app login: data.token, data.user {id, username, role}, data.expiresIn in seconds", async () => {
      await createAdmin(harness.dependencies, { username: `webadmin${database.name}`, password: 'web admin password' });
      const adminLogin = await harness.app.inject({
        method: 'POST', url: '/api/auth/login', headers: webAppHeaders(),
        payload: `{"username":"webadmin${database.name}","password":"web admin password"}`,
      });
      assert.equal(adminLogin.statusCode, 200, adminLogin.body);
      const admin = json(adminLogin);
      assert.equal(admin.code, 'SUCCESS');
      assert.equal(typeof admin.data.token, 'string');
      assert.equal(admin.data.user.role, 'admin');
      assert.equal(admin.data.user.username, `webadmin${database.name}`);
      assert.equal(typeof admin.data.user.id, 'string');
      assert.equal(admin.data.expiresIn, harness.config.auth.accessTokenTtlSeconds);
      assert.equal(typeof admin.data.expiresIn, 'number');
      assert.equal(admin.data.tokenType, 'Bearer');

      const user = await signUp(harness.app);
      const userLogin = json(await harness.app.inject({
        method: 'POST', url: '/api/auth/login', headers: webAppHeaders(),
        payload: JSON.stringify({ username: user.username, password: user.password }),
      }));
      assert.equal(userLogin.data.user.role, 'user');
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: webAppHeaders(userLogin.data.token) })).statusCode, 200);
    });

    it("changes the password as LLMChat's web app asks ({oldPassword, newPassword}); a wrong one is 400, never 401", async () => {
      const user = await signUp(harness.app);
      const change = (payload: Record<string, string>) =>
        harness.app.inject({ method: 'POST', url: '/api/auth/change-password', headers: webAppHeaders(user.token), payload: JSON.stringify(payload) });

      const wrong = await change({ oldPassword: 'not my password', newPassword: 'a new passphrase' });
      assert.equal(wrong.statusCode, 400, 'the web app logs the user out on any 401');
      assert.equal(json(wrong).code, 'VALIDATION_ERROR');
      assert.match(json(wrong).message, /current ?password is incorrect/i);

      const weak = await change({ oldPassword: user.password, newPassword: 'short' });
      assert.equal(weak.statusCode, 400);
      assert.match(json(weak).message, /newPassword: must be at least 8 characters/);
      const same = await change({ currentPassword: user.password, newPassword: user.password });
      assert.equal(same.statusCode, 400);
      assert.match(json(same).message, /newPassword: must differ from the current password/);
      const missing = await change({ newPassword: 'a new passphrase' });
      assert.equal(missing.statusCode, 400);
      assert.match(json(missing).message, /currentPassword/);

      // Nothing changed so far: the old password still logs in.
      const login = (password: string) =>
        harness.app.inject({ method: 'POST', url: '/api/auth/login', headers: webAppHeaders(), payload: JSON.stringify({ username: user.username, password }) });
      const other = json(await login(user.password)).data;

      const changed = await change({ oldPassword: user.password, newPassword: 'a new passphrase' });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(json(changed).data.revokedSessions, 1);
      assert.equal((await login(user.password)).statusCode, 401, 'the old password stops working');
      assert.equal((await login('a new passphrase')).statusCode, 200);
      assert.equal((await harness.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: other.refreshToken } })).statusCode, 401);
      // The web app then logs out with the session it still holds.
      const logout = await harness.app.inject({ method: 'POST', url: '/api/auth/logout', headers: webAppHeaders(user.token), payload: '{}' });
      assert.equal(logout.statusCode, 200);
    });

    it('names the field and reason on invalid bodies', async () => {
      const response = await harness.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email: 'not-an-email', password: 'short' } });
      assert.equal(response.statusCode, 400);
      const body = json(response);
      assert.equal(body.code, 'VALIDATION_ERROR');
      assert.match(body.message, /body\.email/);
      assert.match(body.message, /body\.password/);
    });
  });
}
