import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createTestApp, json, type TestApp } from '../../test/support/test-app.ts';
import { readTestServices } from '../config/load-config.ts';
import { openDatabase } from '../storage/database.ts';
import { closeRedis, openRedis } from '../storage/redis-connection.ts';
import { createRedisAttemptCounter } from './redis-attempt-counter.ts';

const services = readTestServices();
if (!services.redisUrl && services.servicesRequired) {
  throw new Error('COLLOQUY_TEST_REDIS_URL is not set; CI must run the Redis suites');
}
const skip = services.redisUrl ? false : 'set COLLOQUY_TEST_REDIS_URL to run the Redis suites';
if (skip) console.log(`# Redis suites skipped: ${skip}`);

/** Every key this run writes starts with this, so parallel runs do not meet and cleanup is exact. */
const runPrefix = `colloquy-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describe('Redis attempt counter', { skip }, () => {
  let redis: Redis;
  const prefix = `${runPrefix}counter:`;
  before(() => {
    redis = new Redis(services.redisUrl!);
  });
  after(async () => {
    await deleteKeysUnder(redis, runPrefix);
    const left = await redis.keys(`${runPrefix}*`);
    await redis.quit();
    assert.deepEqual(left, [], 'the run leaves no keys behind');
  });

  it('counts up within a window and reports the time left', async () => {
    const counter = createRedisAttemptCounter(redis, { keyPrefix: prefix });
    assert.deepEqual(await counter.peek('a'), { count: 0, resetInSeconds: 0 });
    assert.deepEqual(await counter.increment('a', 60), { count: 1, resetInSeconds: 60 });
    const second = await counter.increment('a', 60);
    assert.equal(second.count, 2);
    assert.ok(second.resetInSeconds > 0 && second.resetInSeconds <= 60);
    const peeked = await counter.peek('a');
    assert.equal(peeked.count, 2, 'peek does not count');
    assert.ok(peeked.resetInSeconds > 0 && peeked.resetInSeconds <= 60);
    assert.equal(await redis.get(`${prefix}attempts:a`), '2', 'stored under the given prefix');
  });

  it('sets the expiry on the first hit only, so the window does not slide', async () => {
    const counter = createRedisAttemptCounter(redis, { keyPrefix: prefix });
    await counter.increment('fixed', 10);
    const later = await counter.increment('fixed', 1000);
    assert.equal(later.count, 2);
    assert.ok(later.resetInSeconds <= 10, `reset in ${later.resetInSeconds}s, not extended`);
    assert.ok((await redis.pttl(`${prefix}attempts:fixed`)) <= 10_000);
  });

  it('starts a new window once the old one expires', async () => {
    const counter = createRedisAttemptCounter(redis, { keyPrefix: prefix });
    await counter.increment('short', 1);
    await counter.increment('short', 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(await counter.peek('short'), { count: 0, resetInSeconds: 0 });
    assert.equal((await counter.increment('short', 1)).count, 1);
  });

  it('gives a key without an expiry one on the next hit, so it cannot block forever', async () => {
    const counter = createRedisAttemptCounter(redis, { keyPrefix: prefix });
    await redis.set(`${prefix}attempts:stuck`, '7');
    const result = await counter.increment('stuck', 30);
    assert.equal(result.count, 8);
    const ttl = await redis.pttl(`${prefix}attempts:stuck`);
    assert.ok(ttl > 0 && ttl <= 30_000, `ttl ${ttl}`);
  });

  it('counts concurrent increments exactly once each', async () => {
    const counter = createRedisAttemptCounter(redis, { keyPrefix: prefix });
    const results = await Promise.all(Array.from({ length: 50 }, () => counter.increment('busy', 60)));
    assert.deepEqual(results.map((result) => result.count).sort((a, b) => a - b), Array.from({ length: 50 }, (_, index) => index + 1));
    assert.equal((await counter.peek('busy')).count, 50);
  });

  it('resets a key and leaves the others alone', async () => {
    const counter = createRedisAttemptCounter(redis, { keyPrefix: prefix });
    await counter.increment('one', 60);
    await counter.increment('two', 60);
    await counter.reset('one');
    assert.equal((await counter.peek('one')).count, 0);
    assert.equal((await counter.peek('two')).count, 1);
    assert.equal(await redis.exists(`${prefix}attempts:one`), 0);
  });
});

describe('login limits shared through Redis', { skip }, () => {
  const prefix = `${runPrefix}app:`;
  const apps: TestApp[] = [];
  let redis: Redis;
  before(async () => {
    redis = new Redis(services.redisUrl!);
    for (let index = 0; index < 2; index += 1) {
      apps.push(
        await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
          env: { REDIS_URL: services.redisUrl!, COLLOQUY_LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' },
          dependencies: { redisKeyPrefix: prefix },
        }),
      );
    }
  });
  after(async () => {
    for (const app of apps) await app.close();
    await deleteKeysUnder(redis, runPrefix);
    await redis.quit();
  });

  it('counts failures on one instance against logins on another', async () => {
    const [first, second] = apps as [TestApp, TestApp];
    assert.ok(first.dependencies.redis, 'a Redis connection when REDIS_URL is set');
    const attempt = (harness: TestApp) =>
      harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'shared-target', password: 'wrong guess' }, remoteAddress: '10.1.2.3' });
    for (let index = 0; index < 3; index += 1) assert.equal((await attempt(first)).statusCode, 401);
    const limited = await attempt(second);
    assert.equal(limited.statusCode, 429, 'the second instance sees the first one’s failures');
    assert.equal(json(limited).code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(await redis.get(`${prefix}attempts:login:account:shared-target`), '3');
  });

  it('closes its Redis connection on close', async () => {
    const harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
      env: { REDIS_URL: services.redisUrl! },
      dependencies: { redisKeyPrefix: prefix },
    });
    const connection = harness.dependencies.redis!;
    await connection.ping();
    await harness.close();
    assert.equal(connection.status, 'end');
  });
});

describe('closing a Redis connection that never came up', () => {
  it('returns at once instead of waiting for a server', async () => {
    // A port that was free a moment ago, so nothing answers there.
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const redis = openRedis(`redis://127.0.0.1:${port}`);
    redis.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      const started = Date.now();
      await closeRedis(redis);
      assert.ok(Date.now() - started < 500, `closed in ${Date.now() - started} ms`);
      let attemptsAfterClose = 0;
      redis.on('connecting', () => (attemptsAfterClose += 1));
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(attemptsAfterClose, 0, 'no reconnect attempts after close');
    } finally {
      // Should closeRedis regress, stop retrying anyway so the test run can still end.
      redis.disconnect();
    }
  });
});
