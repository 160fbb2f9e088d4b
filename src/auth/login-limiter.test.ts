import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { deleteRedisKeysUnder, freshRedisPrefix, redisSuite } from '../../test/support/redis-suite.ts';
import { createTestApp, json, type TestApp } from '../../test/support/test-app.ts';
import { AppError } from '../errors/app-error.ts';
import { openDatabase } from '../storage/database.ts';
import { closeRedis, openRedis } from '../storage/redis-connection.ts';
import { createLoginLimiter } from './login-limiter.ts';
import { createRateLimiterFactory, type RateLimiterFactory } from './rate-limits.ts';

const redis = redisSuite();
const limits = { maxFailuresPerAccount: 5, maxFailuresPerIp: 8, windowSeconds: 60 };
const isRateLimited = (error: unknown) => error instanceof AppError && error.code === 'RATE_LIMITED' && (error.retryAfterSeconds ?? 0) > 0;

async function outcomes(attempts: Promise<unknown>[]): Promise<{ allowed: number; limited: number }> {
  const settled = await Promise.allSettled(attempts);
  const limited = settled.filter((result) => result.status === 'rejected' && isRateLimited(result.reason)).length;
  const allowed = settled.filter((result) => result.status === 'fulfilled').length;
  assert.equal(allowed + limited, attempts.length, 'every attempt is either allowed or RATE_LIMITED');
  return { allowed, limited };
}

/** The same behaviour in one process's memory and in Redis. */
function limiterBehaviour(factory: () => RateLimiterFactory) {
  it('lets exactly the limit of 50 parallel attempts on one account through', async () => {
    const limiter = createLoginLimiter(factory(), limits);
    const attempts = Array.from({ length: 50 }, (_, index) => limiter.consume({ userId: 'u-parallel' }, `192.0.2.${index}`));
    assert.deepEqual(await outcomes(attempts), { allowed: 5, limited: 45 });
  });

  it('limits one address across accounts, known or not', async () => {
    const limiter = createLoginLimiter(factory(), limits);
    const attempts = Array.from({ length: 20 }, (_, index) =>
      limiter.consume(index % 2 ? { userId: `u-${index}` } : { identifier: `name-${index}` }, '198.51.100.7'),
    );
    assert.deepEqual(await outcomes(attempts), { allowed: 8, limited: 12 });
  });

  it('normalises an unknown identifier, so case and spaces do not buy more guesses', async () => {
    const limiter = createLoginLimiter(factory(), limits);
    const spellings = ['Eve', 'eve', ' EVE ', 'eVe', 'eve ', 'EVE'];
    const attempts = spellings.map((identifier, index) => limiter.consume({ identifier }, `203.0.113.${index}`));
    assert.deepEqual(await outcomes(attempts), { allowed: 5, limited: 1 });
  });

  it('a success resets the account and refunds only its own attempt to the address', async () => {
    const limiter = createLoginLimiter(factory(), { ...limits, maxFailuresPerIp: 6 });
    for (let index = 0; index < 4; index += 1) await limiter.consume({ userId: 'u-reset' }, '192.0.2.200');
    await limiter.consume({ userId: 'u-reset' }, '192.0.2.200');
    await limiter.succeeded({ userId: 'u-reset' }, '192.0.2.200');
    // The account starts over (5 more), the address has 4 failures and one slot left before 6.
    assert.deepEqual(await outcomes([limiter.consume({ userId: 'u-reset' }, '192.0.2.200')]), { allowed: 1, limited: 0 });
    assert.deepEqual(await outcomes([limiter.consume({ userId: 'u-reset' }, '192.0.2.200')]), { allowed: 1, limited: 0 });
    assert.deepEqual(await outcomes([limiter.consume({ userId: 'u-other' }, '192.0.2.200')]), { allowed: 0, limited: 1 });
  });

  it('starts a new window once the old one ends', async () => {
    const limiter = createLoginLimiter(factory(), { ...limits, windowSeconds: 1 });
    const spend = (count: number) => Array.from({ length: count }, () => limiter.consume({ userId: 'u-window' }, '192.0.2.201'));
    assert.deepEqual(await outcomes(spend(6)), { allowed: 5, limited: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(await outcomes(spend(1)), { allowed: 1, limited: 0 });
  });
}

describe('login limiter (memory)', () => {
  limiterBehaviour(() => createRateLimiterFactory(undefined, ''));
});

describe('login limiter (Redis)', { skip: redis.skip }, () => {
  const prefix = freshRedisPrefix('login-limiter');
  let connection: Redis;
  before(() => {
    connection = new Redis(redis.url!);
  });
  after(async () => {
    await deleteRedisKeysUnder(connection, prefix);
    const left = await connection.keys(`${prefix}*`);
    await connection.quit();
    assert.deepEqual(left, [], 'the run leaves no keys behind');
  });

  limiterBehaviour(() => createRateLimiterFactory(connection, prefix));

  it('keeps its counts under the configured prefix, with the window as expiry', async () => {
    const limiter = createLoginLimiter(createRateLimiterFactory(connection, prefix), limits);
    await limiter.consume({ userId: 'u-keys' }, '192.0.2.99');
    assert.equal(await connection.get(`${prefix}login-account:user:u-keys`), '1');
    assert.equal(await connection.get(`${prefix}login-ip:192.0.2.99`), '1');
    const ttl = await connection.pttl(`${prefix}login-account:user:u-keys`);
    assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
    await limiter.succeeded({ userId: 'u-keys' }, '192.0.2.99');
    assert.equal(await connection.exists(`${prefix}login-account:user:u-keys`), 0, 'the account key is gone after a success');
    assert.equal(await connection.get(`${prefix}login-ip:192.0.2.99`), '0');
  });
});

describe('login limits shared through Redis', { skip: redis.skip }, () => {
  const prefix = freshRedisPrefix('login-shared');
  const apps: TestApp[] = [];
  before(async () => {
    for (let index = 0; index < 2; index += 1) {
      apps.push(
        await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
          env: { REDIS_URL: redis.url!, COLLOQUY_LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' },
          dependencies: { redisKeyPrefix: prefix },
        }),
      );
    }
  });
  after(async () => {
    for (const app of apps) await app.close();
  });

  it('counts failures on one instance against logins on another', async () => {
    const [first, second] = apps as [TestApp, TestApp];
    const attempt = (harness: TestApp) =>
      harness.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'shared-target', password: 'wrong guess' }, remoteAddress: '10.1.2.3' });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, index) => attempt(index % 2 ? first : second)));
    assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    const limited = answers.find((answer) => answer.statusCode === 429)!;
    assert.equal(json(limited).code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
  });
});

describe('login limiter with Redis unreachable', () => {
  it('answers 503 (fail closed), not 500 and not "allowed"', async () => {
    // A port that was free a moment ago, so nothing answers there.
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const unreachable = openRedis(`redis://127.0.0.1:${port}`);
    unreachable.on('error', () => undefined);
    try {
      const limiter = createLoginLimiter(createRateLimiterFactory(unreachable, 'colloquy-test:'), limits);
      const unavailable = (error: unknown) => error instanceof AppError && error.code === 'SERVICE_UNAVAILABLE' && error.status === 503 && error.retryAfterSeconds === 5;
      await assert.rejects(limiter.consume({ identifier: 'alice' }, '192.0.2.1'), unavailable);
      await assert.rejects(limiter.succeeded({ identifier: 'alice' }, '192.0.2.1'), unavailable);
    } finally {
      await closeRedis(unreachable);
    }
  });
});
