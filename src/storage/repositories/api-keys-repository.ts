import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, DatabaseSchema } from '../schema.ts';
import { fromFlag, toFlag } from '../sql-flags.ts';

type ApiKeyRow = Selectable<ApiKeysTable>;

/** A key as the app sees it: never its hash. */
export interface ApiKey extends Omit<ApiKeyRow, 'keyHash' | 'isActive'> {
  isActive: boolean;
}

export type NewApiKey = Omit<ApiKey, 'isActive' | 'lastUsedAt' | 'updatedAt'> & { keyHash: string };

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    keyPrefix: row.keyPrefix,
    keyLast4: row.keyLast4,
    permissionLevel: row.permissionLevel,
    isActive: fromFlag(row.isActive),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastUsedAt: row.lastUsedAt,
  };
}

/** API keys, stored only as SHA-256 hashes; every method but the auth lookup takes the owner. */
export function createApiKeysRepository(db: Kysely<DatabaseSchema>) {
  return {
    async create(key: NewApiKey): Promise<ApiKey> {
      const row = { ...key, isActive: 1, updatedAt: key.createdAt, lastUsedAt: null };
      await db.insertInto('apiKeys').values(row).execute();
      return toApiKey(row);
    },

    async listForUser(userId: string): Promise<ApiKey[]> {
      const rows = await db
        .selectFrom('apiKeys')
        .selectAll()
        .where('userId', '=', userId)
        .orderBy('id')
        .execute();
      return rows.map(toApiKey);
    },

    async findForUser(userId: string, id: string): Promise<ApiKey | undefined> {
      const row = await db
        .selectFrom('apiKeys')
        .selectAll()
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toApiKey(row);
    },

    /** The credential lookup: by hash only, since the caller is not known yet. */
    async findByHash(keyHash: string): Promise<ApiKey | undefined> {
      const row = await db.selectFrom('apiKeys').selectAll().where('keyHash', '=', keyHash).executeTakeFirst();
      return row && toApiKey(row);
    },

    async setActive(userId: string, id: string, isActive: boolean, now: string): Promise<ApiKey | undefined> {
      await db
        .updateTable('apiKeys')
        .set({ isActive: toFlag(isActive), updatedAt: now })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .execute();
      return this.findForUser(userId, id);
    },

    async rename(userId: string, id: string, name: string, now: string): Promise<ApiKey | undefined> {
      await db
        .updateTable('apiKeys')
        .set({ name, updatedAt: now })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .execute();
      return this.findForUser(userId, id);
    },

    async delete(userId: string, id: string): Promise<boolean> {
      const result = await db
        .deleteFrom('apiKeys')
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async touch(userId: string, id: string, now: string): Promise<void> {
      await db.updateTable('apiKeys').set({ lastUsedAt: now }).where('userId', '=', userId).where('id', '=', id).execute();
    },
  };
}

export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>;
