import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../schema.ts';
import { createLocalLease, type Lease } from './lease.ts';

/**
 * A PostgreSQL session advisory lock, taken with `pg_try_advisory_lock` on one pooled connection
 * that is held for the whole run and unlocked before it goes back to the pool. A crashed holder's
 * session ends, and PostgreSQL releases its lock with it: no expiry to tune.
 *
 * Advisory locks are per database, not per schema, so the key is the pair (schema, name): two
 * deployments (or test runs) in different schemas of one database do not block each other.
 */
export function createPostgresLease(db: Kysely<DatabaseSchema>): Lease {
  // The local guard keeps one instance from reserving a second connection for work it is doing.
  const local = createLocalLease();
  return {
    kind: 'postgres',
    run: (name, work) =>
      local.run(name, () =>
        db.connection().execute(async (connection) => {
          const taken = await sql<{ taken: boolean }>`
            select pg_try_advisory_lock(hashtext(current_schema()), hashtext(${name})) as taken`.execute(connection);
          if (!taken.rows[0]?.taken) return { ran: false as const };
          try {
            return { ran: true as const, value: await work() };
          } finally {
            await sql`select pg_advisory_unlock(hashtext(current_schema()), hashtext(${name}))`.execute(connection);
          }
        }),
      ).then((outcome) => (outcome.ran ? outcome.value : outcome)),
  };
}
