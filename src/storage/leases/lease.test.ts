import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { openSharedPostgres } from '../../../test/support/databases.ts';
import { readTestServices } from '../../config/load-config.ts';
import type { Database } from '../database.ts';
import { createLocalLease, type Lease, type LeaseOutcome } from './lease.ts';
import { createPostgresLease } from './postgres-lease.ts';
import { createRedisLease } from './redis-lease.ts';

const services = readTestServices();
if (services.servicesRequired && (!services.postgresUrl || !services.redisUrl)) {
  throw new Error('the lease suites need COLLOQUY_TEST_POSTGRES_URL and COLLOQUY_TEST_REDIS_URL in CI');
}
if (!services.postgresUrl) console.log('# PostgreSQL lease suite skipped: set COLLOQUY_TEST_POSTGRES_URL to run it');
if (!services.redisUrl) console.log('# Redis lease suite skipped: set COLLOQUY_TEST_REDIS_URL to run it');

function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release };
}

/**
 * Both instances try the same lease at once; each run's work counts itself and then waits on a
 * gate, so the winner is still holding the lease when the other instance tries.
 */
async function raceTwo(first: Lease, second: Lease, name: string) {
  const held = gate();
  let entered = 0;
  const work = async () => {
    entered += 1;
    await held.opened;
    return 'swept';
  };
  const runs = [first.run(name, work), second.run(name, work)];
  const loser = await Promise.race(runs);
  assert.deepEqual(loser, { ran: false }, 'the instance that lost returns at once, without waiting for the lease');
  // The winner may still be taking its lease when the loser has already given up.
  for (let waited = 0; entered === 0 && waited < 2000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(entered, 1, 'only one instance is inside the work');
  held.release();
  const outcomes: LeaseOutcome<string>[] = await Promise.all(runs);
  assert.equal(outcomes.filter((outcome) => outcome.ran).length, 1);
  assert.deepEqual(outcomes.find((outcome) => outcome.ran), { ran: true, value: 'swept' });
}

function contract(label: string, open: () => Promise<{ first: Lease; second: Lease; close(): Promise<void> }>, options: { skip: string | false }) {
  describe(`${label} lease`, { skip: options.skip }, () => {
    let first: Lease;
    let second: Lease;
    let close: () => Promise<void>;
    before(async () => {
      ({ first, second, close } = await open());
    });
    after(() => close());

    it('a run on both instances at the same time is done by exactly one', async () => {
      await raceTwo(first, second, 'race');
    });

    it('is free again once the run ends, for either instance, also after the work failed', async () => {
      await assert.rejects(first.run('again', async () => {
        throw new Error('sweep failed');
      }), /sweep failed/);
      assert.deepEqual(await second.run('again', async () => 2), { ran: true, value: 2 });
      assert.deepEqual(await first.run('again', async () => 1), { ran: true, value: 1 });
    });

    it('two names do not block each other', async () => {
      const held = gate();
      const running = first.run('one', () => held.opened);
      assert.deepEqual(await second.run('two', async () => 'other'), { ran: true, value: 'other' });
      held.release();
      assert.equal((await running).ran, true);
    });

    it('overlapping runs on one instance are skipped too', async () => {
      await raceTwo(first, first, 'same-instance');
    });
  });
}

contract('local (one process)', async () => {
  const lease = createLocalLease();
  return { first: lease, second: lease, close: async () => {} };
}, { skip: false });

contract('PostgreSQL advisory', async () => {
  const shared = (await openSharedPostgres())!;
  return {
    first: createPostgresLease(shared.first.db),
    second: createPostgresLease(shared.second.db),
    async close() {
      await shared.second.close();
      await shared.first.close();
    },
  };
}, { skip: services.postgresUrl ? false : 'set COLLOQUY_TEST_POSTGRES_URL to run it' });

describe('PostgreSQL advisory lease across schemas', { skip: services.postgresUrl ? false : 'set COLLOQUY_TEST_POSTGRES_URL to run it' }, () => {
  let one: { first: Database; second: Database };
  let other: { first: Database; second: Database };
  before(async () => {
    one = (await openSharedPostgres())!;
    other = (await openSharedPostgres())!;
  });
  after(async () => {
    for (const pair of [one, other]) {
      await pair.second.close();
      await pair.first.close();
    }
  });

  it('a deployment in another schema of the same database is not blocked', async () => {
    const held = gate();
    const running = createPostgresLease(one.first.db).run('sweep', () => held.opened);
    assert.deepEqual(await createPostgresLease(other.first.db).run('sweep', async () => 'ran'), { ran: true, value: 'ran' });
    assert.deepEqual(await createPostgresLease(one.second.db).run('sweep', async () => 'ran'), { ran: false });
    held.release();
    await running;
  });
});

contract('Redis', async () => {
  const keyPrefix = `colloquy-lease-${process.pid}-${Date.now()}:`;
  const connections = [new Redis(services.redisUrl!), new Redis(services.redisUrl!)];
  return {
    first: createRedisLease(connections[0]!, { keyPrefix }),
    second: createRedisLease(connections[1]!, { keyPrefix }),
    async close() {
      for (const connection of connections) connection.disconnect();
    },
  };
}, { skip: services.redisUrl ? false : 'set COLLOQUY_TEST_REDIS_URL to run it' });

describe('Redis lease expiry', { skip: services.redisUrl ? false : 'set COLLOQUY_TEST_REDIS_URL to run it' }, () => {
  const keyPrefix = `colloquy-lease-expiry-${process.pid}-${Date.now()}:`;
  let redis: Redis;
  before(() => {
    redis = new Redis(services.redisUrl!);
  });
  after(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('a long run keeps its lease past the expiry by renewing it', async () => {
    const lease = createRedisLease(redis, { keyPrefix, ttlMs: 150 });
    const other = createRedisLease(redis, { keyPrefix, ttlMs: 150 });
    const held = gate();
    const running = lease.run('long', () => held.opened);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(await other.run('long', async () => 'stolen'), { ran: false });
    held.release();
    await running;
    assert.equal(await redis.exists(`${keyPrefix}lease:long`), 0, 'released at the end');
  });

  it('a lease whose holder vanished lapses, and its late release does not free the new holder’s lease', async () => {
    // A holder that crashed: its key is there, nobody renews it.
    await redis.set(`${keyPrefix}lease:crashed`, 'dead-holder', 'PX', 100);
    const lease = createRedisLease(redis, { keyPrefix, ttlMs: 5000 });
    assert.deepEqual(await lease.run('crashed', async () => 1), { ran: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const held = gate();
    const running = lease.run('crashed', () => held.opened);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The dead holder's compare-and-delete would carry its own token: the new lease stays.
    await redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, `${keyPrefix}lease:crashed`, 'dead-holder');
    assert.equal(await redis.exists(`${keyPrefix}lease:crashed`), 1);
    held.release();
    assert.equal((await running).ran, true);
  });
});
