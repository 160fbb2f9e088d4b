import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { jsonColumnsOf } from '../storage/json-columns.ts';
import { lockOwnerRow } from '../storage/row-locks.ts';
import type { DatabaseSchema, McpServersTable } from '../storage/schema.ts';
import { fromFlag, toFlag } from '../storage/sql-flags.ts';

/** A user's remote MCP server row. Headers stay sealed (`headersCipher`); only the service opens them. */
export interface StoredMcpServer extends Omit<Selectable<McpServersTable>, 'headerHints' | 'enabled'> {
  /** Header name → masked value, for display. */
  headerHints: Record<string, string>;
  enabled: boolean;
}

const headerHintsColumn = z.record(z.string(), z.string());

export type McpServerPatch = Partial<Omit<StoredMcpServer, 'id' | 'userId' | 'createdAt' | 'updatedAt'>>;

function toServer(row: Selectable<McpServersTable>): StoredMcpServer {
  return {
    ...row,
    headerHints: jsonColumnsOf('mcpServers', row.id)('headerHints', headerHintsColumn, row.headerHints),
    enabled: fromFlag(row.enabled),
  };
}

/** Every query names the owner, so another user's server is simply not found. */
export function createMcpServersRepository(db: Kysely<DatabaseSchema>) {
  return {
    async listForUser(userId: string): Promise<StoredMcpServer[]> {
      const rows = await db.selectFrom('mcpServers').selectAll().where('userId', '=', userId).orderBy('id').execute();
      return rows.map(toServer);
    },
    async findForUser(userId: string, id: string): Promise<StoredMcpServer | undefined> {
      const row = await db.selectFrom('mcpServers').selectAll().where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
      return row ? toServer(row) : undefined;
    },
    async findByNameForUser(userId: string, name: string): Promise<StoredMcpServer | undefined> {
      const row = await db.selectFrom('mcpServers').selectAll().where('userId', '=', userId).where('name', '=', name).executeTakeFirst();
      return row ? toServer(row) : undefined;
    },
    /**
     * Inserts unless the owner already has `max` servers; false when refused. Counted and
     * inserted in one transaction that holds the owner's row, so parallel creations cannot all
     * see room for one more (on PostgreSQL they would, each counting before the others commit).
     */
    async insertWithinLimit(server: StoredMcpServer, max: number): Promise<boolean> {
      return db.transaction().execute(async (transaction) => {
        await lockOwnerRow(transaction, server.userId);
        const row = await transaction
          .selectFrom('mcpServers')
          .select((expression) => expression.fn.countAll<number>().as('count'))
          .where('userId', '=', server.userId)
          .executeTakeFirstOrThrow();
        if (Number(row.count) >= max) return false;
        await transaction
          .insertInto('mcpServers')
          .values({ ...server, headerHints: JSON.stringify(server.headerHints), enabled: toFlag(server.enabled) })
          .execute();
        return true;
      });
    },
    async update(userId: string, id: string, patch: McpServerPatch, updatedAt: string): Promise<boolean> {
      const { headerHints, enabled, ...rest } = patch;
      const result = await db
        .updateTable('mcpServers')
        .set({
          ...rest,
          ...(headerHints === undefined ? {} : { headerHints: JSON.stringify(headerHints) }),
          ...(enabled === undefined ? {} : { enabled: toFlag(enabled) }),
          updatedAt,
        })
        .where('userId', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(userId: string, id: string): Promise<boolean> {
      const result = await db.deleteFrom('mcpServers').where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type McpServersRepository = ReturnType<typeof createMcpServersRepository>;
