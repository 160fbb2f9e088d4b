import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { parseConfig, readTestServices, resolveConfig } from './config/load-config.ts';
import { createDependencies } from './dependencies.ts';
import { openRedis, closeRedis } from './storage/redis-connection.ts';
import { openDatabase } from './storage/database.ts';
import { testEnvironment } from '../test/support/test-app.ts';

const services = readTestServices();

/** A clock that fails: the first module that asks the time during start-up (the abandoned-turn sweep) fails the start. */
const failingClock = () => {
  throw new Error('injected start-up failure');
};

function configFor(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colloquy-disposal-'));
  return { dataDir, config: resolveConfig(parseConfig(testEnvironment({ COLLOQUY_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }), dataDir), dataDir) };
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(what);
}

const timersAndWorkers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Worker').length;

describe('a start that fails halfway', () => {
  it('closes what it opened: the database it was given, timers and workers', async () => {
    const database = openDatabase({ dialect: 'sqlite', path: ':memory:' });
    const { dataDir, config } = configFor({});
    const before = timersAndWorkers();
    try {
      await assert.rejects(createDependencies(config, { database, clock: failingClock }), /injected start-up failure/);
      await assert.rejects(database.ping().then((ms) => (ms === undefined ? Promise.reject(new Error('closed')) : database.db.selectFrom('users').selectAll().execute())));
      await eventually(async () => timersAndWorkers() <= before, `timers or workers left open: ${process.getActiveResourcesInfo().join(', ')}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('closes its PostgreSQL pool and its Redis connection: both counts return to where they were', { skip: !(services.postgresUrl && services.redisUrl) && 'set COLLOQUY_TEST_POSTGRES_URL and COLLOQUY_TEST_REDIS_URL to run it' }, async () => {
    const probe = new pg.Client({ connectionString: services.postgresUrl });
    await probe.connect();
    const redis = openRedis(services.redisUrl!);
    const postgresConnections = async () => Number((await probe.query('select count(*) as n from pg_stat_activity where datname = current_database()')).rows[0].n);
    const redisClients = async () => String(await redis.call('client', 'list')).trim().split('\n').length;
    const { dataDir, config } = configFor({ DATABASE_URL: services.postgresUrl!, REDIS_URL: services.redisUrl! });
    // Its own schema: migrating the shared database's public schema would be seen by every other suite.
    const schema = `colloquy_disposal_${process.pid}_${Date.now()}`;
    await probe.query(`create schema ${schema}`);
    try {
      const [postgresBefore, redisBefore] = [await postgresConnections(), await redisClients()];
      await assert.rejects(
        createDependencies(config, { clock: failingClock, redisKeyPrefix: `disposal-${process.pid}:`, databaseOptions: { schema } }),
        /injected start-up failure/,
      );
      await eventually(async () => (await postgresConnections()) <= postgresBefore, 'PostgreSQL connections were left open');
      await eventually(async () => (await redisClients()) <= redisBefore, 'a Redis connection was left open');
    } finally {
      await probe.query(`drop schema if exists ${schema} cascade`);
      await probe.end();
      await closeRedis(redis);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
