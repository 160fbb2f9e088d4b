import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { freshRedisPrefix, redisSuite } from '../../../test/support/redis-suite.ts';
import { guestPasswordHash, guestUsernamePattern } from '../../auth/guest-accounts.ts';
import { openDatabase } from '../../storage/database.ts';

const redis = redisSuite();

/** What StellarChat's web app sends: JSON content type, never credentials, `{name}` when creating. */
const webApp = (method: string, url: string, body?: unknown, remoteAddress = '127.0.0.1') => ({
  method: method as 'POST',
  url,
  remoteAddress,
  headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
  ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
});

for (const database of testDatabases()) {
  describe(`guest API keys (${database.name})`, () => {
    let harness: TestApp;
    before(async () => {
      harness = await createTestApp(await database.open(), { env: { COLLOQUY_GUEST_KEY_MAX_PER_IP: '3', COLLOQUY_CORS_ORIGINS: '*' } });
    });
    after(() => harness.close());

    it('mints a key for an anonymous caller, owned by a new guest account without a password', async () => {
      const created = await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'browser' }, '10.0.0.1'));
      assert.equal(created.statusCode, 200, created.body);
      assert.equal(created.headers['access-control-allow-origin'], '*');
      const key = json(created);
      assert.equal(key.success, undefined, 'bare JSON, not the envelope');
      assert.match(key.key, /^sk-[A-Za-z0-9_-]{40}$/);
      assert.equal(key.name, 'browser');
      assert.equal(key.is_active, true);
      assert.equal(typeof key.id, 'string');
      assert.ok(Date.parse(key.created_at) > 0);

      const me = await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(key.key) });
      assert.equal(me.statusCode, 200, me.body);
      const guest = json(me).data;
      assert.match(guest.username, guestUsernamePattern);
      assert.equal(guest.is_guest, true);
      assert.equal(guest.role, 'user');
      assert.equal(guest.permission_level, 1);
      const stored = await harness.dependencies.repositories.apiKeys.findForUser(guest.id, key.id);
      assert.equal(stored?.userId, guest.id, 'the guest owns the key');

      for (const password of ['correct horse battery', guestPasswordHash]) {
        const login = await harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: guest.username, password } });
        assert.equal(login.statusCode, 401, 'a guest has no password to log in with');
      }
      const audit = await harness.dependencies.repositories.audit.listRecent(50, { action: 'auth.register_guest' });
      const row = audit.find((entry) => entry.targetId === guest.id);
      assert.equal(row?.result, 'success');
      assert.equal(row?.ip, '10.0.0.1');
      assert.ok(!JSON.stringify(audit).includes(key.key), 'no audit row holds the secret');

      // A second anonymous key is another guest: anonymous callers share nothing.
      const second = json(await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'browser' }, '10.0.0.1')));
      const secondOwner = json(await harness.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(second.key) })).data;
      assert.notEqual(secondOwner.id, guest.id);
    });

    it('lists nothing to anonymous callers, and the caller\'s own keys in `data` to a key holder', async () => {
      const anonymous = await harness.app.inject(webApp('GET', '/api/api-keys'));
      assert.equal(anonymous.statusCode, 200, anonymous.body);
      assert.deepEqual(json(anonymous), { data: [] });
      const key = json(await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'mine' }, '10.0.0.2')));
      const listed = json(await harness.app.inject({ method: 'GET', url: '/api/api-keys', headers: bearer(key.key) }));
      assert.deepEqual(listed.data.map((entry: { id: string }) => entry.id), [key.id]);
      assert.ok(!JSON.stringify(listed).includes(key.key), 'the listing is masked');
    });

    it('refuses anonymous changes with 401 JSON; the key holder deactivates, activates and deletes with JSON answers', async () => {
      const key = json(await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'toggle' }, '10.0.0.3')));
      for (const [method, url] of [['POST', `/api/api-keys/${key.id}/deactivate`], ['POST', `/api/api-keys/${key.id}/activate`], ['DELETE', `/api/api-keys/${key.id}`]]) {
        const refused = await harness.app.inject(webApp(method!, url!));
        assert.equal(refused.statusCode, 401, `${method} ${url}`);
        assert.equal(json(refused).code, 'UNAUTHORIZED');
        assert.equal(refused.headers['access-control-allow-origin'], '*', 'the browser may read the refusal');
      }
      assert.equal((await harness.app.inject({ method: 'GET', url: '/api/models', headers: bearer(key.key) })).statusCode, 200);

      const withKey = (method: string, url: string) =>
        harness.app.inject({ method: method as 'POST', url, headers: { ...bearer(key.key), 'content-type': 'application/json' } });
      const deactivated = await withKey('POST', `/api/api-keys/${key.id}/deactivate`);
      assert.equal(deactivated.statusCode, 200, deactivated.body);
      assert.equal(json(deactivated).is_active, false);
      assert.equal(json(deactivated).message, 'API key deactivated');
      const refused = await harness.app.inject({ method: 'GET', url: '/api/models', headers: bearer(key.key) });
      assert.equal(refused.statusCode, 401, 'a deactivated key is refused');
      assert.equal((await withKey('POST', `/api/api-keys/${key.id}/activate`)).statusCode, 401, 'and cannot switch itself back on');

      const other = json(await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'other' }, '10.0.0.4')));
      const deleteResponse = await harness.app.inject({ method: 'DELETE', url: `/api/api-keys/${other.id}`, headers: { ...bearer(other.key), 'content-type': 'application/json' } });
      assert.equal(deleteResponse.statusCode, 200, deleteResponse.body);
      assert.deepEqual(json(deleteResponse), { message: 'API key deleted', id: other.id });
    });

    it('limits anonymous minting per IP address with a 429 JSON answer; signed-in users are not limited', async () => {
      const address = '10.9.9.9';
      for (let index = 0; index < 3; index += 1) {
        assert.equal((await harness.app.inject(webApp('POST', '/api/api-keys', { name: `k${index}` }, address))).statusCode, 200);
      }
      const usersBefore = (await harness.dependencies.repositories.users.list({ offset: 0, limit: 1 })).total;
      const limited = await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'one too many' }, address));
      assert.equal(limited.statusCode, 429, limited.body);
      assert.equal(json(limited).code, 'RATE_LIMITED');
      assert.match(json(limited).detail, /too many guest API keys/);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await harness.dependencies.repositories.users.list({ offset: 0, limit: 1 })).total, usersBefore, 'no guest was made');
      assert.equal((await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'elsewhere' }, '10.9.9.10'))).statusCode, 200);
      const user = await signUp(harness.app);
      for (let index = 0; index < 4; index += 1) {
        const response = await harness.app.inject({ method: 'POST', url: '/api/api-keys', remoteAddress: address, headers: bearer(user.token), payload: { name: `signed${index}` } });
        assert.equal(response.statusCode, 200, response.body);
      }
    });

    it('lets exactly the per-address limit of 20 parallel anonymous mints through', async () => {
      const usersBefore = (await harness.dependencies.repositories.users.list({ offset: 0, limit: 1 })).total;
      const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => harness.app.inject(webApp('POST', '/api/api-keys', { name: `rush${index}` }, '10.50.0.1'))));
      const statuses = answers.map((answer) => answer.statusCode).sort();
      assert.deepEqual(statuses, [...Array(3).fill(200), ...Array(17).fill(429)]);
      assert.equal((await harness.dependencies.repositories.users.list({ offset: 0, limit: 1 })).total, usersBefore + 3, 'three guests, no more');
    });

    it('gives the address its mint back when the mint fails', async () => {
      for (let index = 0; index < 4; index += 1) {
        const refused = await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'admin please', permission_level: 4 }, '10.51.0.1'));
        assert.equal(refused.statusCode, 400, refused.body);
      }
      for (let index = 0; index < 3; index += 1) {
        const created = await harness.app.inject(webApp('POST', '/api/api-keys', { name: `after${index}` }, '10.51.0.1'));
        assert.equal(created.statusCode, 200, `the failed mints did not spend the budget: ${created.body}`);
      }
      assert.equal((await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'fourth' }, '10.51.0.1'))).statusCode, 429);
    });

    it('refuses a bad body before making any account', async () => {
      const usersBefore = (await harness.dependencies.repositories.users.list({ offset: 0, limit: 1 })).total;
      const empty = await harness.app.inject(webApp('POST', '/api/api-keys', { name: '' }, '10.0.0.5'));
      assert.equal(empty.statusCode, 400);
      const tooStrong = await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'admin please', permission_level: 4 }, '10.0.0.5'));
      assert.equal(tooStrong.statusCode, 400, tooStrong.body);
      assert.match(json(tooStrong).detail, /above your own level \(1\)/);
      assert.equal((await harness.dependencies.repositories.users.list({ offset: 0, limit: 1 })).total, usersBefore, 'the rolled-back guest left no row');
    });
  });

  for (const registration of ['closed', 'admin-only'] as const) {
    describe(`guest API keys with registration ${registration} (${database.name})`, () => {
      let harness: TestApp;
      before(async () => {
        harness = await createTestApp(await database.open(), { env: { COLLOQUY_REGISTRATION: registration } });
      });
      after(() => harness.close());

      it('answers 401 JSON saying why, and makes no account', async () => {
        const refused = await harness.app.inject(webApp('POST', '/api/api-keys', { name: 'browser' }));
        assert.equal(refused.statusCode, 401, refused.body);
        assert.equal(json(refused).code, 'UNAUTHORIZED');
        assert.match(json(refused).detail, registration === 'closed' ? /registration is closed/ : /registration is limited to admins/);
        assert.equal((await harness.dependencies.repositories.users.list({ offset: 0, limit: 1 })).total, 0);
        assert.deepEqual(json(await harness.app.inject(webApp('GET', '/api/api-keys'))), { data: [] });
        const denied = await harness.dependencies.repositories.audit.listRecent(10, { action: 'auth.register_guest' });
        assert.equal(denied[0]?.result, 'denied');
      });
    });
  }
}

describe('guest API keys limited through Redis', { skip: redis.skip }, () => {
  const prefix = freshRedisPrefix('guest-keys');
  const apps: TestApp[] = [];
  before(async () => {
    for (let index = 0; index < 2; index += 1) {
      apps.push(
        await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
          env: { REDIS_URL: redis.url!, COLLOQUY_GUEST_KEY_MAX_PER_IP: '4' },
          dependencies: { redisKeyPrefix: prefix },
        }),
      );
    }
  });
  after(async () => {
    for (const app of apps) await app.close();
  });

  it('lets exactly the limit of 20 parallel mints from one address through, across two instances', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => apps[index % 2]!.app.inject(webApp('POST', '/api/api-keys', { name: `rush${index}` }, '10.52.0.1'))),
    );
    const statuses = answers.map((answer) => answer.statusCode).sort();
    assert.deepEqual(statuses, [...Array(4).fill(200), ...Array(16).fill(429)]);
  });
});
