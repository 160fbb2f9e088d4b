import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freshRedisPrefix, redisSuite } from '../../test/support/redis-suite.ts';
import { createTestApp } from '../../test/support/test-app.ts';
import { openDatabase } from './database.ts';
import { closeRedis, openRedis } from './redis-connection.ts';

const redis = redisSuite();

describe('the Redis connection of an app', { skip: redis.skip }, () => {
  it('closes on close', async () => {
    const prefix = freshRedisPrefix('connection');
    const harness = await createTestApp(openDatabase({ dialect: 'sqlite', path: ':memory:' }), {
      env: { REDIS_URL: redis.url! },
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
