import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, DatabaseSchema } from '../schema.ts';

export type AuditEntry = Selectable<AuditLogTable>;

/** Append-only audit rows. Querying and retention arrive with the operations work. */
export function createAuditRepository(db: Kysely<DatabaseSchema>) {
  return {
    async append(entry: AuditEntry): Promise<void> {
      await db.insertInto('auditLog').values(entry).execute();
    },

    /** Newest first; used by tests now and by the admin audit API later. */
    async listRecent(limit: number, filter: { action?: string; actorUserId?: string } = {}): Promise<AuditEntry[]> {
      let query = db.selectFrom('auditLog').selectAll().orderBy('id', 'desc').limit(limit);
      if (filter.action) query = query.where('action', '=', filter.action);
      if (filter.actorUserId) query = query.where('actorUserId', '=', filter.actorUserId);
      return query.execute();
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
