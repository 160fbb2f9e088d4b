import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../test/support/databases.ts';
import type { Database } from '../storage/database.ts';
import { createIdGenerator } from '../storage/ids.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { createFilesRepository } from '../storage/repositories/files-repository.ts';
import { createUsersRepository } from '../storage/repositories/users-repository.ts';
import { createDatabaseBlobStore } from './database-blob-store.ts';
import { createFileModule, defaultBlobStorage } from './file-module.ts';
import { createFileService } from './file-service.ts';
import { createLocalBlobStore } from './local-blob-store.ts';

const quietLog = { info() {}, warn() {}, error() {} };
const settings = { maxFileBytes: 1024 * 1024, userQuotaBytes: 0, promptTextMaxChars: 1000, promptMaxFiles: 3, promptMaxBytes: 4096 };
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every file under a folder, as paths relative to it. */
function filesUnder(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
  } catch {
    return [];
  }
}

for (const database of testDatabases()) {
  for (const store of ['local', 'database'] as const) {
    describe(`file store (${database.name}, ${store} store)`, () => {
      let opened: Database;
      let dataDir: string;
      let filesDir: string;
      let module: ReturnType<typeof createFileModule>;
      const newId = createIdGenerator();
      let alice: string;
      let bob: string;
      const blobCount = async () => Number((await opened.db.selectFrom('fileBlobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const contentsCount = async () => Number((await opened.db.selectFrom('fileBlobContents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

      before(async () => {
        opened = await database.open();
        await migrateToLatest(opened);
        dataDir = mkdtempSync(path.join(tmpdir(), 'colloquy-files-'));
        filesDir = path.join(dataDir, 'files');
        const users = createUsersRepository(opened.db);
        alice = newId();
        bob = newId();
        for (const [id, username] of [[alice, 'alice'], [bob, 'bob']] as const) {
          await users.create({ id, username, email: null, name: null, passwordHash: 'x', role: 'user', permissionLevel: 1, now: new Date().toISOString() });
        }
        module = createFileModule({ database: opened, config: { dataDir, files: { store, ...settings } }, newId, clock: () => new Date(), log: quietLog });
      });
      after(async () => {
        await module.close();
        await opened.close();
        rmSync(dataDir, { recursive: true, force: true });
      });

      it('keeps identical contents once per user, counts every upload as its own file, and frees the bytes with the last one', async () => {
        const bytes = randomBytes(4096);
        const uploads = await Promise.all(
          Array.from({ length: 5 }, (_, index) => module.service.upload(alice, { name: `copy-${index}.bin`, bytes })),
        );
        assert.equal(new Set(uploads.map((file) => file.id)).size, 5);
        const blobsBefore = await blobCount();
        const bobsCopy = await module.service.upload(bob, { name: 'mine.bin', bytes });
        assert.equal(await blobCount(), blobsBefore + 1, "another user's identical upload gets its own blob");
        const aliceFiles = filesUnder(path.join(filesDir, alice)).filter((name) => name.includes(sha256(bytes)));
        assert.equal(aliceFiles.length, store === 'local' ? 1 : 0, 'one local file for five concurrent uploads');

        for (const file of uploads.slice(0, 4)) await module.service.delete(alice, file.id);
        assert.deepEqual((await module.service.readContent(alice, uploads[4]!.id)).bytes, bytes);
        await module.service.delete(alice, uploads[4]!.id);
        assert.equal(await blobCount(), blobsBefore, "the last delete removed alice's blob");
        assert.equal(filesUnder(path.join(filesDir, alice)).filter((name) => name.includes(sha256(bytes))).length, 0);
        assert.deepEqual(Buffer.from((await module.service.readContent(bob, bobsCopy.id)).bytes), bytes, "bob's copy is untouched");
      });

      it('reads at most promptMaxFiles files and promptMaxBytes bytes for one prompt, refusing before any read', async () => {
        const text = (size: number, name: string) => module.service.upload(alice, { name, mimeType: 'text/plain', bytes: Buffer.alloc(size, 'a') });
        const small = await Promise.all([1, 2, 3, 4].map((index) => text(100, `small-${index}.txt`)));
        const ready = await module.service.readForPrompt(alice, small.slice(0, 3).map((file) => file.id));
        assert.equal(ready.length, 3);
        await assert.rejects(module.service.readForPrompt(alice, small.map((file) => file.id)), (error: any) => {
          assert.equal(error.code, 'VALIDATION_ERROR');
          assert.match(error.message, /at most 3 files/);
          return true;
        });
        // The same file named many times is one file (each id once).
        assert.equal((await module.service.readForPrompt(alice, Array(50).fill(small[0]!.id))).length, 1);
        const large = await Promise.all([text(3000, 'large-1.txt'), text(3000, 'large-2.txt')]);
        await assert.rejects(module.service.readForPrompt(alice, large.map((file) => file.id)), (error: any) => {
          assert.equal(error.code, 'PAYLOAD_TOO_LARGE');
          assert.match(error.message, /at most 4096 bytes/);
          return true;
        });
      });

      it('leaves no blob and no bytes behind when the row cannot be written', async () => {
        const blobsBefore = await blobCount();
        const contentsBefore = await contentsCount();
        const localBefore = filesUnder(filesDir).length;
        // The user does not exist: the insert fails on its foreign key, on every attempt.
        await assert.rejects(module.service.upload('no-such-user', { name: 'a.txt', bytes: randomBytes(100) }));

        // A row id that is already taken: the blob record and bytes are written first, then rolled back.
        const taken = await module.service.upload(alice, { name: 'first.txt', bytes: Buffer.from('first') });
        const clashing = createFileService({
          db: opened.db,
          activeStore: store === 'local' ? createLocalBlobStore(filesDir) : createDatabaseBlobStore(createFilesRepository(opened.db)),
          stores: { local: createLocalBlobStore(filesDir), database: createDatabaseBlobStore(createFilesRepository(opened.db)) },
          newId: () => taken.id,
          clock: () => new Date(),
          log: quietLog,
          settings,
        });
        await assert.rejects(clashing.upload(alice, { name: 'second.txt', bytes: randomBytes(200) }));
        assert.equal(await blobCount(), blobsBefore + 1, 'only the successful upload left a blob');
        assert.equal(await contentsCount(), contentsBefore + (store === 'database' ? 1 : 0));
        assert.equal(filesUnder(filesDir).length, localBefore + (store === 'local' ? 1 : 0));
      });

      it('sweeps old orphans (local files no record names, unused blob records) and spares young ones and used ones', async () => {
        const kept = await module.service.upload(alice, { name: 'kept.txt', bytes: Buffer.from('still used') });
        const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
        const orphanDigest = sha256(Buffer.from('orphan'));
        const orphan = path.join(filesDir, alice, orphanDigest.slice(0, 2), `${orphanDigest}-0123456789abcdef`);
        const young = path.join(filesDir, alice, orphanDigest.slice(0, 2), `${orphanDigest}-fedcba9876543210`);
        mkdirSync(path.dirname(orphan), { recursive: true });
        writeFileSync(orphan, 'orphan');
        writeFileSync(young, 'orphan');
        utimesSync(orphan, twoHoursAgo, twoHoursAgo);
        // A blob record whose file row went away (a crash between the two deletes).
        const unusedDigest = sha256(Buffer.from('unused'));
        const repository = createFilesRepository(opened.db);
        await repository.insertBlobIfAbsent({ userId: bob, sha256: unusedDigest, size: 6, storage: 'database', location: null, createdAt: twoHoursAgo.toISOString() });
        await repository.writeContents(bob, unusedDigest, Buffer.from('unused'));

        const swept = await module.sweep();
        assert.deepEqual(swept, { blobs: 1, localFiles: 1 });
        assert.equal(await repository.findBlob(bob, unusedDigest), undefined);
        assert.equal(await repository.readContents(bob, unusedDigest), undefined);
        const left = filesUnder(filesDir);
        assert.ok(!left.some((name) => name.endsWith('0123456789abcdef')), 'the old orphan is gone');
        assert.ok(left.some((name) => name.endsWith('fedcba9876543210')), 'a young file may belong to an upload in progress');
        assert.equal((await module.service.readContent(alice, kept.id)).bytes.toString(), 'still used');
      });

      it('reads files written under the other store setting (only new bytes follow the setting)', async () => {
        const written = await module.service.upload(alice, { name: 'before.txt', bytes: Buffer.from(`written by the ${store} store`) });
        const other = store === 'local' ? 'database' : 'local';
        const switched = createFileModule({ database: opened, config: { dataDir, files: { store: other, ...settings } }, newId, clock: () => new Date(), log: quietLog });
        try {
          assert.equal(switched.storage, other);
          assert.equal(Buffer.from((await switched.service.readContent(alice, written.id)).bytes).toString(), `written by the ${store} store`);
          const after = await switched.service.upload(alice, { name: 'after.txt', bytes: Buffer.from('new bytes') });
          const blob = await createFilesRepository(opened.db).findBlob(alice, after.sha256);
          assert.equal(blob?.storage, other);
        } finally {
          await switched.close();
        }
      });
    });
  }
}

describe('default blob storage', () => {
  it('is the local folder on SQLite and the database on PostgreSQL', () => {
    assert.equal(defaultBlobStorage('sqlite'), 'local');
    assert.equal(defaultBlobStorage('postgres'), 'database');
  });
});
