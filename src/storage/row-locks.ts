import { PostgresAdapter, type Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.ts';

/**
 * Whether `select … for update` means anything here. PostgreSQL runs transactions side by side
 * and needs row locks to serialise a check and the write it guards. SQLite has no such clause and
 * no need: Kysely holds its one connection for a whole transaction, so one runs at a time.
 */
export const locksRows = (db: Kysely<DatabaseSchema>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * Inside a transaction, takes the owner's user row as the lock for a per-owner check then write
 * (a quota, a maximum count): a second transaction for the same owner waits here until the first
 * commits, then counts what it wrote. Holds across instances, as the lock lives in the database.
 * `for no key update` leaves inserts that merely reference the user (their foreign keys take a
 * key-share lock) free to proceed meanwhile.
 */
export async function lockOwnerRow(transaction: Kysely<DatabaseSchema>, userId: string): Promise<void> {
  if (!locksRows(transaction)) return;
  await transaction.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().executeTakeFirst();
}
