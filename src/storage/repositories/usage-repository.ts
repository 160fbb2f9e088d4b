import type { Kysely } from 'kysely';
import type { DatabaseSchema, UsageRecordsTable } from '../schema.ts';
import { fromFlag, toFlag } from '../errors.ts';

export interface UsageRecord {
  id: string;
  userId: string | null;
  apiKeyId: string | null;
  providerId: string | null;
  providerType: string | null;
  model: string;
  surface: string;
  conversationId: string | null;
  messageId: string | null;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  totalTokens: number;
  usageEstimated: boolean;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  status: UsageRecordsTable['status'];
  errorCode: string | null;
  attempt: number;
  createdAt: string;
}

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
