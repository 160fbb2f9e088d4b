import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { closeRedis, openRedis } from '../../storage/redis-connection.ts';
import { createRunLog } from './create-run-log.ts';
import { deleteKeysUnder, redisSkip, redisTestUrl, textDelta } from './run-log-test-support.ts';

describe('choosing a run log', () => {
  it('keeps runs in this process without Redis', async () => {
    const log = createRunLog({ keyPrefix: 'unused:', retentionSeconds: 30 });
    await log.create('run-1', 'user-1');
    await log.append('run-1', textDelta('a'));
    assert.deepEqual(await log.info('run-1'), { userId: 'user-1', finished: false, lastSeq: 1 });
    await log.close();
  });

  it('writes runs to Redis when given a connection', { skip: redisSkip }, async () => {
    const keyPrefix = `colloquy-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
    const redis = openRedis(redisTestUrl!);
    const log = createRunLog({ redis, keyPrefix, retentionSeconds: 30 });
    try {
      await log.create('run-1', 'user-1');
      await log.append('run-1', textDelta('a'));
      assert.equal(await redis.xlen(`${keyPrefix}run:run-1:events`), 1);
      assert.equal(await redis.hget(`${keyPrefix}run:run-1:meta`, 'userId'), 'user-1');
    } finally {
      await log.close();
      await deleteKeysUnder(redis, keyPrefix);
      await closeRedis(redis);
    }
  });
});
