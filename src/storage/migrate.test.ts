import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { migrateToLatest } from './migrate.ts';

for (const database of testDatabases().filter((candidate) => candidate.name === 'postgres')) {
  describe('migrations on PostgreSQL', () => {
    it("migrate a schema while another schema of the same database already holds Kysely's migration tables", async () => {
      // Kysely's migrator, unless told the schema, takes a migration table in any schema as its own.
      const first = await database.open();
      const second = await database.open();
      try {
        assert.ok((await migrateToLatest(first)).length > 0);
        const applied = await migrateToLatest(second);
        assert.equal(applied.at(-1), '0008-client-chat-ids');
        assert.deepEqual(await migrateToLatest(second), [], 'a second run finds every migration applied');
      } finally {
        await second.close();
        await first.close();
      }
    });
  });
}
