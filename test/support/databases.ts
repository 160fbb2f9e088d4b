import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { readTestServices } from '../../src/config/load-config.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, empty database (a new PostgreSQL schema); `close` drops it. */
  open(): Promise<Database>;
}

const services = readTestServices();

async function openFreshPostgres(url: string): Promise<Database & { schema: string }> {
  const schema = `colloquy_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const database = openDatabase({ dialect: 'postgres', url }, { schema, poolSize: 4 });
  return {
    ...database,
    schema,
    async close() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      try {
        await cleanup.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * Two handles on one fresh PostgreSQL schema, as two server instances sharing a database have;
 * closing the first drops the schema. Undefined when no PostgreSQL is configured.
 */
export async function openSharedPostgres(): Promise<{ first: Database; second: Database } | undefined> {
  if (!services.postgresUrl) return undefined;
  const first = await openFreshPostgres(services.postgresUrl);
  const second = openDatabase({ dialect: 'postgres', url: services.postgresUrl }, { schema: first.schema, poolSize: 4 });
  return { first, second };
}

/**
 * The dialects a suite runs on: SQLite always, PostgreSQL when COLLOQUY_TEST_POSTGRES_URL is set.
 * In CI a missing URL is an error, not a skip.
 */
export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [{ name: 'sqlite', open: async () => openDatabase({ dialect: 'sqlite', path: ':memory:' }) }];
  if (services.postgresUrl) {
    const url = services.postgresUrl;
    list.push({ name: 'postgres', open: () => openFreshPostgres(url) });
  } else if (services.servicesRequired) {
    throw new Error('COLLOQUY_TEST_POSTGRES_URL is not set; CI must run the PostgreSQL suites');
  } else {
    console.log('# PostgreSQL suites skipped: set COLLOQUY_TEST_POSTGRES_URL to run them');
  }
  return list;
}
