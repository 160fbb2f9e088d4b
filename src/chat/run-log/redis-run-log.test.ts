import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { closeRedis, openRedis } from '../../storage/redis-connection.ts';
import type { RunLog } from '../run-log.ts';
import { createRedisRunLog } from './redis-run-log.ts';
import { collect, deleteKeysUnder, newRunId, pause, redisSkip, redisTestUrl, seqsOf, textDelta, within } from './run-log-test-support.ts';

describe('Redis run log, beyond the contract', { skip: redisSkip }, () => {
  const keyPrefix = `colloquy-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
  let redis: Redis;
  let log: RunLog;
  const keysOf = (runId: string) => ({ events: `${keyPrefix}run:${runId}:events`, meta: `${keyPrefix}run:${runId}:meta` });

  before(() => {
    redis = openRedis(redisTestUrl!);
    log = createRedisRunLog({ redis, keyPrefix, retentionSeconds: 30, abandonedRunSeconds: 600, blockMs: 100 });
  });
  after(async () => {
    await log.close();
    await deleteKeysUnder(redis, keyPrefix);
    await closeRedis(redis);
  });

  it('keeps one stream per run with ids 0-<seq>, a safety expiry while running and the retention after', async () => {
    const runId = newRunId();
    const keys = keysOf(runId);
    await log.create(runId, 'user-1');
    const metaTtl = await redis.ttl(keys.meta);
    assert.ok(metaTtl > 30 && metaTtl <= 600, `meta expires in ${metaTtl} s`);
    await log.append(runId, textDelta('a'));
    await log.append(runId, textDelta('b'));
    const eventsTtl = await redis.ttl(keys.events);
    assert.ok(eventsTtl > 30 && eventsTtl <= 600, `stream expires in ${eventsTtl} s`);
    assert.deepEqual(
      (await redis.xrange(keys.events, '-', '+')).map(([id]) => id),
      ['0-1', '0-2'],
    );
    await log.finish(runId);
    for (const key of [keys.events, keys.meta]) {
      const ttl = await redis.ttl(key);
      assert.ok(ttl > 0 && ttl <= 30, `${key} expires in ${ttl} s after finish`);
    }
    assert.equal(await redis.hget(keys.meta, 'finished'), '1');
  });

  it('reports a failed append that nobody awaited on the next append and on finish', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const runId = newRunId();
      await log.create(runId, 'user-1');
      // A key of the wrong type makes XADD fail the way a broken server would.
      await redis.set(keysOf(runId).events, 'not a stream');
      void log.append(runId, textDelta('lost'));
      await redis.ping();
      await assert.rejects(log.append(runId, textDelta('next')), /appending to run .* failed: WRONGTYPE/);
      await assert.rejects(log.finish(runId));
      await pause(20);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('ends a reader whose run vanished without finishing, as when its runner crashed and the keys expired', async () => {
    const runId = newRunId();
    await log.create(runId, 'user-1');
    await log.append(runId, textDelta('a'));
    const reading = collect(log.read(runId, 0));
    await pause(50);
    await redis.del(keysOf(runId).meta, keysOf(runId).events);
    assert.deepEqual(seqsOf(await within(reading, 1000, 'reader of a vanished run')), [1]);
  });

  it('keeps the shared connection free while readers block', async () => {
    const runId = newRunId();
    await log.create(runId, 'user-1');
    const slowLog = createRedisRunLog({ redis, keyPrefix, retentionSeconds: 30, blockMs: 10_000 });
    const controller = new AbortController();
    const readers = [1, 2, 3].map(() => collect(slowLog.read(runId, 0, controller.signal)));
    await pause(50);
    const started = performance.now();
    await log.append(runId, textDelta('a'));
    assert.ok((await slowLog.info(runId))?.lastSeq === 1);
    assert.ok(performance.now() - started < 100, `commands took ${performance.now() - started} ms`);
    await log.finish(runId);
    for (const seen of await within(Promise.all(readers), 1000, 'blocked readers')) assert.deepEqual(seqsOf(seen), [1]);
    controller.abort();
    await slowLog.close();
    assert.equal(redis.status, 'ready', 'closing the log leaves the shared connection open');
  });

  it('delivers a stop flagged while no subscriber listened, even on a log that never subscribed before', async () => {
    const runId = newRunId();
    await log.create(runId, 'user-1');
    const requester = createRedisRunLog({ redis, keyPrefix, retentionSeconds: 30 });
    assert.equal(await requester.requestStop(runId), true);
    assert.equal(await redis.hget(keysOf(runId).meta, 'stopRequested'), '1');
    const listening = createRedisRunLog({ redis, keyPrefix, retentionSeconds: 30 });
    const heard = new Promise<void>((resolve) => listening.onStop(runId, resolve));
    await within(heard, 1000, 'late listener');
    await Promise.all([requester.close(), listening.close()]);
    await log.finish(runId);
  });
});
