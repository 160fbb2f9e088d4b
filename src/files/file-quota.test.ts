import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import { AppError } from '../errors/app-error.ts';
import type { Database } from '../storage/database.ts';
import { createIdGenerator } from '../storage/ids.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { createFilesRepository } from '../storage/repositories/files-repository.ts';
import { createUsersRepository } from '../storage/repositories/users-repository.ts';
import { createFileModule } from './file-module.ts';

const quietLog = { info() {}, warn() {}, error() {} };
const quota = 10_000;

for (const database of testDatabases()) {
  for (const store of ['local', 'database'] as const) {
    describe(`per-user file quota under concurrency (${database.name}, ${store} store)`, () => {
      let opened: Database;
      let dataDir: string;
      let module: ReturnType<typeof createFileModule>;
      const newId = createIdGenerator();
      const users: string[] = [];

      before(async () => {
        opened = await database.open();
        await migrateToLatest(opened);
        dataDir = mkdtempSync(path.join(tmpdir(), 'colloquy-quota-'));
        const repository = createUsersRepository(opened.db);
        for (const username of ['quota-a', 'quota-b']) {
          const id = newId();
          await repository.create({ id, username, email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now: new Date().toISOString() });
          users.push(id);
        }
        module = createFileModule({
          database: opened,
          config: { dataDir, files: { store, maxFileBytes: 1024 * 1024, userQuotaBytes: quota, promptTextMaxChars: 1000, promptMaxFiles: 20, promptMaxBytes: 1024 * 1024 } },
          newId,
          clock: () => new Date(),
          log: quietLog,
        });
      });
      after(async () => {
        await module.close();
        await opened.close();
        rmSync(dataDir, { recursive: true, force: true });
      });

      it('accepts exactly what fits of 12 parallel uploads of 3,000 distinct bytes into a 10,000-byte quota', async () => {
        const [owner, other] = users as [string, string];
        const results = await Promise.allSettled([
          ...Array.from({ length: 12 }, (_, index) => module.service.upload(owner, { name: `part-${index}.bin`, bytes: randomBytes(3000) })),
          // Another user's upload at the same time is not held up by, nor counted against, this one.
          module.service.upload(other, { name: 'theirs.bin', bytes: randomBytes(3000) }),
        ]);
        const own = results.slice(0, 12);
        const refused = own.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
        assert.equal(own.filter((result) => result.status === 'fulfilled').length, 3, refused.map(String).join('; '));
        assert.ok(refused.every((error) => error instanceof AppError && error.code === 'PAYLOAD_TOO_LARGE'), String(refused[0]));
        assert.equal(results[12]!.status, 'fulfilled');
        const used = await createFilesRepository(opened.db).storedBytesForUser(owner);
        assert.equal(used, 9000, 'stored bytes stay within the quota');
        assert.equal((await module.service.list(owner, { limit: 50, offset: 0 })).total, 3);
      });
    });
  }
}
