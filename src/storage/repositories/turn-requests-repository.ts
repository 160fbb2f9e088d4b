import type { Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, TurnRequestsTable } from '../schema.ts';

export type TurnRequest = Selectable<TurnRequestsTable>;

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** `Idempotency-Key` records of turn creation, scoped by user. */
export function createTurnRequestsRepository(db: Kysely<DatabaseSchema>) {
  return {
    async find(userId: string, idempotencyKey: string): Promise<TurnRequest | undefined> {
      return db
        .selectFrom('turnRequests')
        .selectAll()
        .where('userId', '=', userId)
        .where('idempotencyKey', '=', idempotencyKey)
        .executeTakeFirst();
    },

    /** Records the key; false when another request recorded it first. */
    async insert(request: TurnRequest): Promise<boolean> {
      try {
        await db.insertInto('turnRequests').values(request).execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
  };
}

export type TurnRequestsRepository = ReturnType<typeof createTurnRequestsRepository>;
