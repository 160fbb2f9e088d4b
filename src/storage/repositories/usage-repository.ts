import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, UsageRecordsTable } from '../schema.ts';
import { fromFlag, toFlag } from '../sql-flags.ts';

/** A ledger row; the flag column reads as a boolean. */
export type UsageRecord = Omit<Selectable<UsageRecordsTable>, 'usageEstimated'> & { usageEstimated: boolean };

/** The usage ledger: one row per upstream LLM call, written once and never updated. */
export function createUsageRepository(db: Kysely<DatabaseSchema>) {
  return {
    async insert(record: UsageRecord): Promise<void> {
      await db
        .insertInto('usageRecords')
        .values({ ...record, usageEstimated: toFlag(record.usageEstimated) })
        .execute();
    },

    /** The caller's own records, newest first. */
    async listForUser(userId: string, options: { limit: number; since?: string }): Promise<UsageRecord[]> {
      let query = db.selectFrom('usageRecords').selectAll().where('userId', '=', userId);
      if (options.since !== undefined) query = query.where('createdAt', '>=', options.since);
      const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
      return rows.map((row) => ({ ...row, usageEstimated: fromFlag(row.usageEstimated) }));
    },
  };
}

export type UsageRepository = ReturnType<typeof createUsageRepository>;
