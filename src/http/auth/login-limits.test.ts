import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { deleteRedisKeysUnder, freshRedisPrefix, redisSuite } from '../../../test/support/redis-suite.ts';
import { createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { openDatabase } from '../../storage/database.ts';

const redis = redisSuite();
const password = 'correct horse battery';

type Mode = { name: string; skip: string | false; env: Record<string, string> };
const modes: Mode[] = [
  { name: 'memory', skip: false, env: {} },
  { name: 'Redis', skip: redis.skip, env: redis.url ? { REDIS_URL: redis.url } : {} },
];

for (const mode of modes) {
  describe(`login limits under concurrency (${mode.name})`, { skip: mode.skip }, () => {
    const prefix = freshRedisPrefix('login-limits');
    let harness: TestApp;
    let address = 0;
    /** Every test guesses from its own address, so only the budget it tests is spent. */
    const nextAddress = () => `10.77.0.${(address += 1)}`;
    const login = (payload: Record<string, string>, remoteAddress: string) =>
      harness.app.inject({ method: 'POST', url: '/api/auth/login', payload, remoteAddress });
    const statuses = async (responses: Promise<{ statusCode: number }>[]) => {
      const counts: Record<number, number> = {};
      for (const response of await Promise.all(responses)) counts[response.statusCode] = (counts[response.statusCode] ?? 0) + 1;
      return counts;
    };

    before(async () => {
      harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
        env: { ...mode.env, COLLOQUY_LOGIN_MAX_FAILURES_PER_ACCOUNT: '5', COLLOQUY_LOGIN_MAX_FAILURES_PER_IP: '20' },
        dependencies: { redisKeyPrefix: prefix },
      });
    });
    after(async () => {
      const connection = harness.dependencies.redis;
      await harness.close();
      if (connection) {
        const cleanup = new Redis(redis.url!);
        await deleteRedisKeysUnder(cleanup, prefix);
        assert.deepEqual(await cleanup.keys(`${prefix}*`), [], 'the run leaves no keys behind');
        await cleanup.quit();
      }
    });

    it('answers 50 parallel wrong guesses against one account with 5 × 401 and 45 × 429', async () => {
      const user = await signUp(harness.app, { password });
      // Spread over addresses, so the per-IP budget (20) is not what stops them.
      const guesses = Array.from({ length: 50 }, (_, index) => login({ username: user.username, password: `wrong guess ${index}` }, `10.76.0.${index % 5}`));
      assert.deepEqual(await statuses(guesses), { 401: 5, 429: 45 });
      const right = await login({ username: user.username, password }, nextAddress());
      assert.equal(right.statusCode, 429, 'even the right password waits out the window');
      assert.equal(json(right).code, 'RATE_LIMITED');
      assert.ok(Number(right.headers['retry-after']) > 0, 'Retry-After is set');
    });

    it('counts an unknown identifier the same way, so the answers do not tell which accounts exist', async () => {
      const guesses = Array.from({ length: 50 }, (_, index) => login({ username: 'nobody-by-this-name', password: `guess ${index}` }, `10.78.0.${index % 5}`));
      assert.deepEqual(await statuses(guesses), { 401: 5, 429: 45 });
    });

    it('gives the username and the email of one account one budget', async () => {
      const user = await signUp(harness.app, { password });
      const email = `${user.username}@example.test`;
      const guesses = Array.from({ length: 50 }, (_, index) =>
        login(index % 2 === 0 ? { username: user.username.toUpperCase(), password: `wrong ${index}` } : { email, password: `wrong ${index}` }, `10.79.0.${index % 5}`),
      );
      assert.deepEqual(await statuses(guesses), { 401: 5, 429: 45 });
      assert.equal((await login({ email, password }, nextAddress())).statusCode, 429);
    });

    it('lets the right password in after failures below the limit and resets the account budget', async () => {
      const user = await signUp(harness.app, { password });
      const from = nextAddress();
      assert.deepEqual(await statuses(Array.from({ length: 4 }, () => login({ username: user.username, password: 'nope nope' }, from))), { 401: 4 });
      assert.equal((await login({ email: `${user.username}@example.test`, password }, from)).statusCode, 200);
      const again = Array.from({ length: 6 }, () => login({ username: user.username, password: 'nope nope' }, nextAddress()));
      assert.deepEqual(await statuses(again), { 401: 5, 429: 1 }, 'a fresh budget of 5 after the login');
    });

    it('limits one address across accounts; a success refunds its own attempt only', async () => {
      const user = await signUp(harness.app, { password });
      const from = nextAddress();
      const failures = Array.from({ length: 19 }, (_, index) => login({ username: `stranger-${index}`, password: 'guess guess' }, from));
      assert.deepEqual(await statuses(failures), { 401: 19 });
      for (let index = 0; index < 3; index += 1) {
        assert.equal((await login({ username: user.username, password }, from)).statusCode, 200, 'a success does not spend the address budget');
      }
      assert.equal((await login({ username: 'stranger-last', password: 'guess guess' }, from)).statusCode, 401, 'the 20th failure');
      const blocked = await login({ username: user.username, password }, from);
      assert.equal(blocked.statusCode, 429, 'the successes did not wipe the failures of this address');
      assert.ok(Number(blocked.headers['retry-after']) > 0);
    });
  });
}
