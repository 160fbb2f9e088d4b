import { sql, type Kysely, type Selectable } from 'kysely';
import type { DatabaseSchema, FileBlobsTable, FilesTable } from '../schema.ts';

export type FileRow = Selectable<FilesTable>;
export type FileBlobRow = Selectable<FileBlobsTable>;

/** A file row with where its bytes are. */
export interface StoredFile extends FileRow {
  storage: FileBlobRow['storage'];
  location: string | null;
}

/** Whether a driver error is a foreign-key violation, on either dialect. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * Files, their blobs and database-kept bytes. Every lookup but the sweep's takes the owner.
 * Bind it to a transaction (`createFilesRepository(transaction)`) to write a blob and its row
 * together; the repository itself never opens one.
 */
export function createFilesRepository(db: Kysely<DatabaseSchema>) {
  const storedFiles = () =>
    db
      .selectFrom('files')
      .innerJoin('fileBlobs', (join) =>
        join.onRef('fileBlobs.userId', '=', 'files.userId').onRef('fileBlobs.sha256', '=', 'files.sha256'),
      )
      .selectAll('files')
      .select(['fileBlobs.storage', 'fileBlobs.location']);

  return {
    async findForUser(userId: string, id: string): Promise<StoredFile | undefined> {
      return storedFiles().where('files.userId', '=', userId).where('files.id', '=', id).executeTakeFirst();
    },

    async findManyForUser(userId: string, ids: string[]): Promise<StoredFile[]> {
      if (ids.length === 0) return [];
      return storedFiles().where('files.userId', '=', userId).where('files.id', 'in', ids).execute();
    },

    async listForUser(userId: string, limit: number, offset: number): Promise<{ files: StoredFile[]; total: number }> {
      const files = await storedFiles()
        .where('files.userId', '=', userId)
        .orderBy('files.createdAt', 'desc')
        .orderBy('files.id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
      const counted = await db
        .selectFrom('files')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('userId', '=', userId)
        .executeTakeFirstOrThrow();
      return { files, total: Number(counted.count) };
    },

    async findBlob(userId: string, sha256: string): Promise<FileBlobRow | undefined> {
      return db
        .selectFrom('fileBlobs')
        .selectAll()
        .where('userId', '=', userId)
        .where('sha256', '=', sha256)
        .executeTakeFirst();
    },

    /** Inserts the blob record unless the user already has these contents; true when inserted. */
    async insertBlobIfAbsent(blob: FileBlobRow): Promise<boolean> {
      const inserted = await db
        .insertInto('fileBlobs')
        .values(blob)
        .onConflict((conflict) => conflict.columns(['userId', 'sha256']).doNothing())
        .returning('sha256')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async insertFile(file: FileRow): Promise<void> {
      await db.insertInto('files').values(file).execute();
    },

    /** Deletes the row and returns it; undefined when the user has no such file. */
    async deleteFile(userId: string, id: string): Promise<FileRow | undefined> {
      return db.deleteFrom('files').where('userId', '=', userId).where('id', '=', id).returningAll().executeTakeFirst();
    },

    /**
     * Deletes the blob record (and database-kept bytes) when no file of the user uses it.
     * Returns the deleted record; undefined when it is still used, already gone, or an upload
     * referenced it concurrently (that foreign-key violation means "still used").
     */
    async deleteBlobIfUnused(userId: string, sha256: string): Promise<FileBlobRow | undefined> {
      try {
        return await db
          .deleteFrom('fileBlobs')
          .where('userId', '=', userId)
          .where('sha256', '=', sha256)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('files')
                  .select(sql.lit(1).as('one'))
                  .where('files.userId', '=', userId)
                  .where('files.sha256', '=', sha256),
              ),
            ),
          )
          .returningAll()
          .executeTakeFirst();
      } catch (error) {
        if (isForeignKeyViolation(error)) return undefined;
        throw error;
      }
    },

    /** Bytes the user's distinct contents take (duplicates count once). */
    async storedBytesForUser(userId: string): Promise<number> {
      const row = await db
        .selectFrom('fileBlobs')
        .select((eb) => eb.fn.sum<number | string | null>('size').as('total'))
        .where('userId', '=', userId)
        .executeTakeFirst();
      return Number(row?.total ?? 0);
    },

    async writeContents(userId: string, sha256: string, data: Uint8Array): Promise<void> {
      await db.insertInto('fileBlobContents').values({ userId, sha256, data }).execute();
    },

    async readContents(userId: string, sha256: string): Promise<Uint8Array | undefined> {
      const row = await db
        .selectFrom('fileBlobContents')
        .select('data')
        .where('userId', '=', userId)
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      return row?.data;
    },

    /** Sweep: blob records no file uses, created before the cutoff (left by a crash mid-delete). */
    async listUnusedBlobs(createdBefore: string, limit: number): Promise<FileBlobRow[]> {
      return db
        .selectFrom('fileBlobs')
        .selectAll()
        .where('createdAt', '<', createdBefore)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('files')
                .select(sql.lit(1).as('one'))
                .whereRef('files.userId', '=', 'fileBlobs.userId')
                .whereRef('files.sha256', '=', 'fileBlobs.sha256'),
            ),
          ),
        )
        .limit(limit)
        .execute();
    },
  };
}

export type FilesRepository = ReturnType<typeof createFilesRepository>;
