import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { jsonColumnsOf } from '../storage/json-columns.ts';
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
    async countForUser(userId: string): Promise<number> {
      const row = await db
        .selectFrom('mcpServers')
        .select((expression) => expression.fn.countAll<number>().as('count'))
        .where('userId', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
    async findForUser(userId: string, id: string): Promise<StoredMcpServer | undefined> {
      const row = await db.selectFrom('mcpServers').selectAll().where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
      return row ? toServer(row) : undefined;
    },
    async findByNameForUser(userId: string, name: string): Promise<StoredMcpServer | undefined> {
      const row = await db.selectFrom('mcpServers').selectAll().where('userId', '=', userId).where('name', '=', name).executeTakeFirst();
      return row ? toServer(row) : undefined;
    },
    async insert(server: StoredMcpServer): Promise<void> {
      await db
        .insertInto('mcpServers')
        .values({ ...server, headerHints: JSON.stringify(server.headerHints), enabled: toFlag(server.enabled) })
        .execute();
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
